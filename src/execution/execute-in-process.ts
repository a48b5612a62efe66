import { randomUUID } from "node:crypto";
import type { ExecuteInProcessResult } from "../definitions/in-process-executor.js";
import type { AnyJobDefinition } from "../definitions/job.js";
import { toResourceDefinitions, type ResourceLike } from "../definitions/resource.js";
import { reservedTagIn, reservedTagMessage } from "../definitions/reserved-tags.js";
import { validateRunConfigWith } from "../definitions/validate-run-config.js";
import { InvalidArgumentError, InvariantError, NotFoundError } from "../errors/index.js";
import { AssetMaterialization, EventType, RunStatus, type EventLogEntry, type Run, type RunConfigValue } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { executeRun, type RunOutcome } from "./execute-job.js";
import type { RunHeartbeat } from "./run-heartbeat.js";

/** Options of `executeJobInProcess`. */
export interface ExecuteJobInProcessOptions {
  /** Where the run and its events are stored. */
  storage: Storage;
  runConfig?: unknown;
  /** Run tags, over the job's own. */
  tags?: Readonly<Record<string, string>>;
  /** Resources for this run, over the job's own. */
  resources?: Readonly<Record<string, ResourceLike>>;
  /** Resources shared by a code location, under the job's own. */
  sharedResources?: Readonly<Record<string, ResourceLike>>;
  /**
   * Rethrow a failing op's error (a `UserCodeError` naming the op) once the run's events are stored.
   * @defaultValue true
   */
  raiseOnError?: boolean;
  /** @defaultValue a random UUID */
  runId?: string;
  /** The process's run heartbeat (e.g. `instance.runHeartbeat()`), so a run monitor sees the run alive. */
  heartbeat?: RunHeartbeat;
  /** Cancels the run (no further op starts; it ends CANCELED), e.g. on Ctrl-C. */
  signal?: AbortSignal;
}

/**
 * Creates a run of `job` and executes it in this process, then returns what happened. Invalid run
 * config throws `RunConfigValidationError` before any run is created.
 *
 * @example
 * const result = await executeJobInProcess(etl, { storage, raiseOnError: false });
 * if (!result.success) console.log(result.getJobFailureEvent().message);
 */
export async function executeJobInProcess(job: AnyJobDefinition, options: ExecuteJobInProcessOptions): Promise<ExecuteInProcessResult> {
  const { storage } = options;
  if (typeof storage !== "object" || storage === null || typeof (storage as Partial<Storage>).storeEvents !== "function") {
    throw new InvalidArgumentError(`executeJobInProcess() for job "${job.name}" needs a storage (e.g. instance.storage), not ${storage === null ? "null" : typeof storage}.`);
  }
  const reserved = reservedTagIn(options.tags ?? {});
  if (reserved !== null) throw new InvalidArgumentError(reservedTagMessage(`executeInProcess() of job "${job.name}"`, reserved));
  const runConfig = (options.runConfig ?? {}) as RunConfigValue;
  // Validate first: bad config is the caller's mistake and should leave no run behind.
  validateRunConfigWith(job, runConfig, { ...toResourceDefinitions(options.sharedResources ?? {}), ...job.resources, ...toResourceDefinitions(options.resources ?? {}) });
  const runId = options.runId ?? randomUUID();
  await storage.addRun({ runId, jobName: job.name, status: RunStatus.NOT_STARTED, tags: { ...job.tags, ...(options.tags ?? {}) }, runConfig, createdAt: Date.now() });
  const runOptions = {
    resources: options.resources ?? {},
    sharedResources: options.sharedResources ?? {},
    ...(options.heartbeat === undefined ? {} : { heartbeat: options.heartbeat }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const outcome = await executeRun(job, runId, storage, runOptions);
  const run = await storage.getRun(runId);
  if (run === null) throw new InvariantError(`Run "${runId}" vanished from storage while it executed.`);
  const events = (await storage.getRunEvents(runId)).map((r) => r.entry);
  const failure = outcome.failures[0];
  if ((options.raiseOnError ?? true) && failure !== undefined) throw failure.error;
  return new InProcessResult(job, run, events, outcome);
}

/** The `ExecuteInProcessResult` of a finished run. */
class InProcessResult implements ExecuteInProcessResult {
  readonly success: boolean;
  readonly run: Run;
  readonly runId: string;
  readonly allEvents: readonly EventLogEntry[];
  readonly assetMaterializations: readonly AssetMaterialization[];
  readonly #job: AnyJobDefinition;
  readonly #outcome: RunOutcome;

  constructor(job: AnyJobDefinition, run: Run, events: readonly EventLogEntry[], outcome: RunOutcome) {
    this.#job = job;
    this.#outcome = outcome;
    this.run = run;
    this.runId = run.runId;
    this.success = run.status === RunStatus.SUCCESS;
    this.allEvents = Object.freeze([...events]);
    this.assetMaterializations = Object.freeze(
      events.flatMap((e) => {
        const m = e.event?.eventType === EventType.ASSET_MATERIALIZATION ? e.event.materialization : undefined;
        if (m === undefined) return [];
        return [new AssetMaterialization({ assetKey: m.assetKey, metadata: m.metadata, description: m.description ?? undefined, partition: m.partition ?? undefined })];
      }),
    );
  }

  outputFor(opName: string): unknown {
    const known = this.#job.nodes.map((n) => n.name);
    if (!known.includes(opName)) {
      throw new NotFoundError("op", opName, `Op "${opName}" is not in job "${this.#job.name}"; known ops: ${known.join(", ") || "(none)"}.`);
    }
    if (!this.#outcome.outputs.has(opName)) {
      throw new InvalidArgumentError(`Op "${opName}" produced no output in run "${this.runId}" because it did not succeed; check result.success and its STEP_FAILURE event.`);
    }
    return this.#outcome.outputs.get(opName);
  }

  getJobSuccessEvent(): EventLogEntry {
    return this.#runEvent(EventType.RUN_SUCCESS, "succeed");
  }

  getJobFailureEvent(): EventLogEntry {
    return this.#runEvent(EventType.RUN_FAILURE, "fail");
  }

  #runEvent(type: EventType, verb: string): EventLogEntry {
    const found = this.allEvents.find((e) => e.event?.eventType === type);
    if (found === undefined) {
      throw new InvalidArgumentError(`Run "${this.runId}" of job "${this.#job.name}" did not ${verb} (it is ${this.run.status}), so it has no ${type} event.`);
    }
    return found;
  }
}
