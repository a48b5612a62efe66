import type { SerializedError } from "../errors/index.js";
import { RunRequest, describeValue } from "./run-request.js";
import { sensorMisuse } from "./sensor-errors.js";
import { SensorResult } from "./sensor-result.js";
import { SkipReason } from "./skip-reason.js";

/** The skip message of an evaluation that returned nothing. */
export const EMPTY_RESULT_MESSAGE = "Sensor function returned an empty result";

/**
 * What one evaluation of a sensor decided: the runs to request (their target job resolved, tagged
 * `vigil/sensor_name`, run config validated) or why it skipped, and the cursor to store.
 * A standard sensor's evaluation has exactly one of `runRequests` (non-empty) and `skipReason`.
 */
export interface SensorEvaluation {
  runRequests: RunRequest[];
  skipReason?: SkipReason;
  cursor: string | null;
  /**
   * Run status sensors, on a daemon tick: the status events handled, in storage order (the tick is
   * `SUCCESS` when there is at least one and none failed).
   */
  handledRunEvents?: HandledRunEvent[];
  /**
   * Run status sensors: events remain after this tick's cursor (its time or count budget ran out);
   * the daemon ticks the sensor again at once instead of after its interval.
   */
  backlog?: boolean;
  /**
   * Run status sensors: set when a handler threw. The tick is `FAILURE` with this error (it names
   * each failed run), yet the cursor above is stored, so a failing alert is not retried forever.
   */
  error?: SerializedError;
}

/** One run status event a run status sensor handled during a tick. */
export interface HandledRunEvent {
  runId: string;
  jobName: string;
  storageId: number;
  /** What the handler threw, if it did. */
  error?: SerializedError;
}

/** Every return form of a sensor function (and of what its promise resolves to). */
export type SensorReturnValue = RunRequest | SkipReason | SensorResult | readonly (RunRequest | SkipReason)[] | void | undefined | null;

/** What a sensor function may return: a value, a promise of one, or a sync or async generator. */
export type SensorFnReturn =
  | SensorReturnValue
  | Promise<SensorReturnValue>
  | Iterator<RunRequest | SkipReason | SensorResult, SensorReturnValue | void, undefined>
  | AsyncIterator<RunRequest | SkipReason | SensorResult, SensorReturnValue | void, undefined>;

/**
 * @internal Flattens whatever a sensor function returned (awaiting promises, draining generators)
 * into a list of items. Runs user code (generator bodies): call it inside `runSensorCode`.
 */
export async function collectSensorOutput(sensorName: string, raw: unknown): Promise<unknown[]> {
  const value: unknown = isThenable(raw) ? await raw : raw;
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return [...(value as unknown[])];
  if (isAsyncIterator(value)) {
    const items: unknown[] = [];
    for (;;) {
      const step = await value.next();
      if (step.done === true) {
        if (step.value !== undefined && step.value !== null) items.push(...returned(step.value));
        return items;
      }
      items.push(step.value);
    }
  }
  if (isSyncIterator(value)) {
    const items: unknown[] = [];
    for (;;) {
      const step = value.next();
      if (step.done === true) {
        if (step.value !== undefined && step.value !== null) items.push(...returned(step.value));
        return items;
      }
      items.push(step.value);
    }
  }
  if (value instanceof RunRequest || value instanceof SkipReason || value instanceof SensorResult) return [value];
  throw unexpectedOutput(sensorName, value);
}

/** A generator's `return` value joins what it yielded (an array of them too). */
function returned(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

/** @internal What the normalised items say, before target resolution. */
export interface NormalizedOutput {
  runRequests: RunRequest[];
  skipReason: SkipReason | undefined;
  /** The cursor a returned `SensorResult` set, if any. */
  resultCursor: string | undefined;
}

/**
 * @internal Applies the rules on what one evaluation may return (REFERENCE 1.2): nothing means
 * skip; a `SensorResult` must come alone; a `SkipReason` never comes with run requests nor with
 * another `SkipReason`; `SensorResult.cursor` is refused after `updateCursor()`.
 */
export function normalizeSensorOutput(sensorName: string, items: readonly unknown[], cursorUpdated: boolean): NormalizedOutput {
  for (const item of items) {
    if (!(item instanceof RunRequest || item instanceof SkipReason || item instanceof SensorResult)) throw unexpectedOutput(sensorName, item);
  }
  const results = items.filter((i): i is SensorResult => i instanceof SensorResult);
  if (results.length > 0 && items.length > 1) {
    throw sensorMisuse(sensorName, `it returned a SensorResult together with ${items.length - 1} other value(s); when a SensorResult is returned from a sensor, it must be the only object returned.`);
  }
  const [result] = results;
  if (result !== undefined) {
    if (result.cursor !== undefined && cursorUpdated) {
      throw sensorMisuse(sensorName, `it returned SensorResult.cursor ${JSON.stringify(result.cursor)} after calling context.updateCursor(); SensorResult.cursor cannot be set if context.updateCursor() was called, so use one or the other.`);
    }
    const runRequests = [...result.runRequests];
    return {
      runRequests,
      skipReason: result.skipReason ?? (runRequests.length === 0 ? new SkipReason(EMPTY_RESULT_MESSAGE) : undefined),
      resultCursor: result.cursor,
    };
  }
  const runRequests = items.filter((i): i is RunRequest => i instanceof RunRequest);
  const skips = items.filter((i): i is SkipReason => i instanceof SkipReason);
  if (skips.length > 0 && runRequests.length > 0) {
    throw sensorMisuse(
      sensorName,
      `it returned ${runRequests.length} RunRequest(s) and a SkipReason (${JSON.stringify(skips[0]?.message ?? null)}); expected a single SkipReason or one or more RunRequests, not both.`,
    );
  }
  if (skips.length > 1) {
    throw sensorMisuse(sensorName, `it returned ${skips.length} SkipReasons (${skips.map((s) => JSON.stringify(s.message ?? null)).join(", ")}); expected a single SkipReason.`);
  }
  if (runRequests.length === 0) return { runRequests, skipReason: skips[0] ?? new SkipReason(EMPTY_RESULT_MESSAGE), resultCursor: undefined };
  return { runRequests, skipReason: undefined, resultCursor: undefined };
}

function unexpectedOutput(sensorName: string, value: unknown) {
  return sensorMisuse(
    sensorName,
    `the sensor unexpectedly returned ${describeValue(value)}; return only RunRequest, SkipReason or SensorResult objects (or an array or generator of them), or nothing.`,
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { next?: unknown }).next === "function" && Symbol.asyncIterator in value;
}

function isSyncIterator(value: unknown): value is Iterator<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { next?: unknown }).next === "function" && Symbol.iterator in value;
}
