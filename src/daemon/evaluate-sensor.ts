import type { Definitions } from "../definitions/definitions.js";
import type { InstanceReader } from "../definitions/instance-reader.js";
import { buildSensorContext } from "../definitions/sensor-context.js";
import type { SensorDefinition } from "../definitions/sensor-definition.js";
import { SensorLog, type SensorLogEntry } from "../definitions/sensor-log.js";
import { TimeoutError, serializeError, toError } from "../errors/index.js";
import type { RunConfigValue, TickError } from "../model/index.js";

/** The tags of requests that have none (shared: a tick may carry 100,000 requests). */
const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

/** @internal What an evaluation needs to know about the sensor's state: plain data (it crosses threads). */
export interface EvaluationRequest {
  sensorName: string;
  cursor: string | null;
  lastRunKey: string | null;
  lastTickCompletionTime: number | null;
  timeoutMs: number;
}

/** @internal A run request as an evaluation returns it: target resolved, tags merged (job < request). */
export interface PlainRunRequest {
  runKey: string | null;
  jobName: string;
  runConfig: RunConfigValue;
  /** Never mutated: requests with the same resolved tags share one (frozen) object. */
  tags: Readonly<Record<string, string>>;
}

/**
 * @internal What one evaluation decided, as plain data. `ok: false` is a failed evaluation (the
 * cursor stays); `ok: true` with an `error` is a run status sensor whose handler threw (the tick
 * fails, yet its cursor is stored).
 */
export type EvaluationOutcome =
  | { ok: true; runRequests: PlainRunRequest[]; skipReason: string | null; cursor: string | null; error: TickError | null; handledEvents: number; backlog: boolean }
  | { ok: false; error: TickError };

/** @internal Receives each line a sensor logs (`context.log`) as it is written. */
export type SensorLogSink = (entry: SensorLogEntry) => void;

/** @internal Something that evaluates sensors: in the daemon's thread, or in worker threads. */
export interface SensorEvaluator {
  /** Evaluates once; `onLog` gets the sensor's log lines as they are written (from a worker, as they arrive). */
  evaluate(request: EvaluationRequest, onLog?: SensorLogSink): Promise<EvaluationOutcome>;
  /** Gets ready to evaluate at once (worker threads started and loaded); optional. */
  warm?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * @internal Evaluates one sensor of `definitions` once with the daemon's context and turns the
 * result (or the error, which names the sensor) into an `EvaluationOutcome`. Never throws.
 */
export async function evaluateOnce(definitions: Definitions, instance: InstanceReader, request: EvaluationRequest, onLog?: SensorLogSink): Promise<EvaluationOutcome> {
  try {
    const sensor = definitions.getSensor(request.sensorName) as unknown as SensorDefinition;
    const context = buildSensorContext({
      cursor: request.cursor,
      instance,
      lastRunKey: request.lastRunKey,
      lastTickCompletionTime: request.lastTickCompletionTime,
      sensorName: request.sensorName,
      repositoryName: definitions.name,
      resources: definitions.resources,
      definitionsJobNames: definitions.jobs.map((j) => j.name),
      log: new SensorLog(onLog),
      // Half the timeout: a sensor working through a backlog commits what it did well before it is killed.
      timeBudgetMs: request.timeoutMs / 2,
    });
    const evaluation = await sensor.evaluate(context);
    // Looked up once per job, not per request (a tick may carry 100,000 requests).
    const jobs = new Map<string, ReturnType<Definitions["getJob"]>>();
    // Requests without tags of their own share one resolved tag object: merge it with the job's once.
    let lastTags: Readonly<Record<string, string>> | undefined;
    let lastJobTags: Readonly<Record<string, string>> | undefined;
    let lastMerged: Readonly<Record<string, string>> = {};
    const runRequests = evaluation.runRequests.map((r): PlainRunRequest => {
      // resolveRunRequests set jobName on every request; a missing one is a bug caught by getJob.
      const name = r.jobName ?? "";
      let job = jobs.get(name);
      if (job === undefined) {
        job = definitions.getJob(name);
        jobs.set(name, job);
      }
      if (r.tags !== lastTags || job.tags !== lastJobTags) {
        lastTags = r.tags;
        lastJobTags = job.tags;
        lastMerged = hasKeys(job.tags) ? Object.freeze({ ...job.tags, ...r.tags }) : (r.tags ?? NO_TAGS);
      }
      return { runKey: r.runKey ?? null, jobName: job.name, runConfig: r.runConfig, tags: lastMerged };
    });
    return {
      ok: true,
      runRequests,
      skipReason: evaluation.skipReason?.message ?? null,
      cursor: evaluation.cursor,
      error: evaluation.error === undefined ? null : { message: evaluation.error.message, stack: evaluation.error.stack },
      handledEvents: evaluation.handledRunEvents?.length ?? 0,
      backlog: evaluation.backlog === true,
    };
  } catch (thrown) {
    return failed(thrown);
  }
}

function hasKeys(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return true;
  return false;
}

/** @internal The outcome of an evaluation that threw. */
export function failed(thrown: unknown): EvaluationOutcome {
  const error = serializeError(toError(thrown));
  return { ok: false, error: { message: error.message, stack: error.stack } };
}

/** @internal The error of a sensor stopped at its timeout. */
export function timedOut(sensorName: string, timeoutMs: number, how: string): EvaluationOutcome {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return failed(
    new TimeoutError(`Sensor "${sensorName}" timed out after ${seconds} s and ${how}; make it finish sooner or raise its timeoutSeconds.`),
  );
}

/**
 * Evaluates sensors in the daemon's own thread (a `Definitions` object was given). The timeout
 * bounds asynchronous waits only: a sensor stuck in a synchronous loop blocks the thread; give the
 * daemon a module path to isolate evaluations in worker threads.
 */
export class InThreadEvaluator implements SensorEvaluator {
  readonly #definitions: Definitions;
  readonly #instance: InstanceReader;

  constructor(definitions: Definitions, instance: InstanceReader) {
    this.#definitions = definitions;
    this.#instance = instance;
  }

  evaluate(request: EvaluationRequest, onLog?: SensorLogSink): Promise<EvaluationOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<EvaluationOutcome>((resolve) => {
      timer = setTimeout(() => resolve(timedOut(request.sensorName, request.timeoutMs, "was abandoned (it runs in the daemon's thread, so it could not be killed)")), request.timeoutMs);
    });
    return Promise.race([evaluateOnce(this.#definitions, this.#instance, request, onLog), timeout]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    // Nothing to release: evaluations share the daemon's thread.
  }
}
