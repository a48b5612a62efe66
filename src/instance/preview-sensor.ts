import type { Definitions } from "../definitions/definitions.js";
import type { InstanceReader } from "../definitions/instance-reader.js";
import { buildSensorContext } from "../definitions/sensor-context.js";
import type { SensorDefinition } from "../definitions/sensor-definition.js";
import type { SensorEvaluation } from "../definitions/sensor-evaluation.js";
import { serializeError } from "../errors/index.js";
import type { Instance } from "./instance.js";

/** What a preview may override; anything omitted comes from the sensor's stored state. */
export interface PreviewSensorOptions {
  /** `undefined`: the stored cursor; `null`: no cursor. */
  cursor?: string | null;
  lastRunKey?: string | null;
  /** ms since epoch, as `context.lastTickCompletionTime`. */
  lastTickCompletionTime?: number | null;
}

/** The outcome of a preview: the cursor it started from and what the sensor decided. */
export interface SensorPreview {
  cursorBefore: string | null;
  evaluation: SensorEvaluation;
}

/** One run request of a preview, as plain data. */
export interface PreviewRunRequest {
  runKey: string | null;
  jobName: string | null;
  runConfig: Record<string, unknown>;
  tags: Record<string, string>;
  /** The sensor already used this run key: the tick would deduplicate it and create no run. */
  alreadyUsed: boolean;
}

/** What a preview decided, as plain data (what `vigil sensor preview` prints and the UI shows). */
export interface PreviewResult {
  cursorBefore: string | null;
  runRequests: PreviewRunRequest[];
  skipReason: string | null;
  cursor: string | null;
  /** The sensor's error (it threw, timed out, or a handler of a run status sensor threw). */
  error: { message: string; stack: string } | null;
  /** Run status sensors: the status events it handled. */
  handledEvents: number;
  /** False when the evaluation itself failed (threw, timed out): only `error` says anything then. */
  completed: boolean;
}

/** Runs a preview of one sensor: in a sandbox (`vigil sensor preview`, the UI) or, for a definitions object, in this thread. */
export type SensorPreviewer = (sensor: SensorDefinition, options?: PreviewSensorOptions) => Promise<PreviewResult>;

/** Marks the requests whose run key the sensor has already used. */
export async function markUsedRunKeys(instance: Instance, sensorName: string, requests: readonly Omit<PreviewRunRequest, "alreadyUsed">[]): Promise<PreviewRunRequest[]> {
  const keys = requests.flatMap((r) => (r.runKey === null ? [] : [r.runKey]));
  const used = keys.length === 0 ? new Map<string, string>() : await instance.storage.getRunIdsForRunKeys(sensorName, keys);
  return requests.map((r) => ({ ...r, alreadyUsed: r.runKey !== null && used.has(r.runKey) }));
}

/**
 * A previewer that evaluates in this thread (`previewSensor`): for definitions given as an object,
 * where there is no module for a sandbox to load. A sensor stuck in a synchronous loop blocks it.
 */
export function inThreadPreviewer(instance: Instance, definitions: () => Promise<Definitions>): SensorPreviewer {
  return async (sensor, options = {}) => {
    const state = await instance.getSensorState(sensor.name);
    const cursorBefore = options.cursor === undefined ? (state?.cursor ?? null) : options.cursor;
    const result: PreviewResult = { cursorBefore, runRequests: [], skipReason: null, cursor: cursorBefore, error: null, handledEvents: 0, completed: true };
    try {
      const { evaluation } = await previewSensor(instance, await definitions(), sensor, { ...options, cursor: cursorBefore });
      result.runRequests = await markUsedRunKeys(
        instance,
        sensor.name,
        evaluation.runRequests.map((r) => ({ runKey: r.runKey ?? null, jobName: r.jobName ?? null, runConfig: r.runConfig, tags: { ...r.tags } })),
      );
      result.skipReason = evaluation.skipReason === undefined ? null : (evaluation.skipReason.message ?? "");
      result.cursor = evaluation.cursor;
      result.handledEvents = evaluation.handledRunEvents?.length ?? 0;
      if (evaluation.error !== undefined) result.error = { message: evaluation.error.message, stack: evaluation.error.stack ?? "" };
    } catch (error) {
      const e = serializeError(error);
      result.error = { message: e.message, stack: e.stack ?? "" };
      result.completed = false;
    }
    return result;
  };
}

/**
 * Evaluates a sensor once, as a tick would (same context: stored cursor and times, the
 * Definitions' resources and job names), but through a read-only view of the instance: nothing is
 * stored and nothing is launched. What `vigil sensor preview` and the UI's Preview button run.
 * Throws what the evaluation throws (a Vigil error naming the sensor).
 */
export async function previewSensor(
  instance: Instance,
  definitions: Definitions,
  sensor: SensorDefinition,
  options: PreviewSensorOptions = {},
): Promise<SensorPreview> {
  const state = await instance.getSensorState(sensor.name);
  const cursorBefore = options.cursor === undefined ? (state?.cursor ?? null) : options.cursor;
  const context = buildSensorContext({
    cursor: cursorBefore,
    instance: readOnlyView(instance),
    lastRunKey: options.lastRunKey === undefined ? (state?.lastRunKey ?? null) : options.lastRunKey,
    lastTickCompletionTime: options.lastTickCompletionTime === undefined ? (state?.lastTickTimestamp ?? null) : options.lastTickCompletionTime,
    sensorName: sensor.name,
    repositoryName: definitions.name,
    resources: definitions.resources,
    definitionsJobNames: definitions.jobs.map((j) => j.name),
  });
  return { cursorBefore, evaluation: await sensor.evaluate(context) };
}

/** The instance as a sensor reads it, with nothing that writes (previews, in a thread or a sandbox). */
export function readOnlyView(instance: InstanceReader): InstanceReader {
  return {
    getRun: (runId) => instance.getRun(runId),
    getRuns: (query) => instance.getRuns(query),
    getEventRecords: (query) => instance.getEventRecords(query),
    getLatestMaterialization: (assetKey) => instance.getLatestMaterialization(assetKey),
    getRunEvents: (runId, options) => instance.getRunEvents(runId, options),
  };
}
