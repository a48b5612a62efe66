import type { ParsedRunConfig } from "../config/index.js";
import type { AnyJobDefinition } from "../definitions/job.js";
import { initResources, planResources, toResourceDefinitions, type ResourceDefinition, type ResourceLike } from "../definitions/resource.js";
import { validateRunConfigWith } from "../definitions/validate-run-config.js";
import { ErrorCode, InvalidArgumentError, NotFoundError, runUserCode, serializeError, toError, UserCodeError, VigilError } from "../errors/index.js";
import { EventType, isTerminalRunStatus, RunStatus, WorkerTag, type Run } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { RunEventWriter } from "./event-writer.js";
import { isJsonValue } from "./json-value.js";
import { createEventLogger, createOpContext } from "./op-context.js";
import { buildExecutionPlan, type ExecutionStep } from "./plan.js";
import type { RunHeartbeat } from "./run-heartbeat.js";
import { captureRunOutput } from "./run-output.js";
import { markRunCanceled } from "./mark-run-failed.js";

/** Options of `executeRun`. */
export interface ExecuteRunOptions {
  /** Resources shared by a code location (`Definitions.resources`); the job's own win over them. */
  sharedResources?: Readonly<Record<string, ResourceLike>>;
  /** Resources for this run only; they win over the job's own. */
  resources?: Readonly<Record<string, ResourceLike>>;
  /**
   * Cancels the run: once aborted, no further op starts (ops already running finish) and the run
   * ends `CANCELED` with a RUN_CANCELED event. A run found `CANCELING` is canceled before it starts.
   */
  signal?: AbortSignal;
  /**
   * The heartbeat of the executing process: the run is tracked by it while it executes (so a run
   * monitor can tell it is alive), and stopped like a cancel when a beat finds it CANCELING, or
   * ended by someone else (then nothing more is written).
   */
  heartbeat?: RunHeartbeat;
  /**
   * After a cancel, how long ops still running may take before the run is ended `CANCELED` without
   * them (they go on in the background, but nothing they write changes the run). For processes that
   * execute many runs and cannot be killed for one (queue workers). @defaultValue never: wait for them
   */
  abandonAfterMs?: number;
}

/** Why a run failed: a step, a resource, or the run as a whole. */
export interface RunFailure {
  /** The step (op node) that failed, if one did. */
  readonly stepKey: string | null;
  /** The error to rethrow: a `UserCodeError` for user code. */
  readonly error: Error;
}

/** The result of `executeRun`. */
export interface RunOutcome {
  readonly success: boolean;
  /** Each op's output, by step key, for the steps that succeeded. */
  readonly outputs: ReadonlyMap<string, unknown>;
  /** Every failure, in the order they happened (empty on success). */
  readonly failures: readonly RunFailure[];
  /** True when the run was canceled (`options.signal`) and ended `CANCELED`. */
  readonly canceled?: boolean;
}

type StepResult = { status: "success"; output: unknown } | { status: "failure"; error: UserCodeError } | { status: "skipped" } | { status: "canceled" };

const EXECUTABLE_STATUSES: readonly RunStatus[] = [RunStatus.NOT_STARTED, RunStatus.QUEUED, RunStatus.STARTING, RunStatus.CANCELING];

/**
 * Executes a stored run of `job`, writing its events through `storage`: RUN_START, each op's
 * STEP_START / LOG / ASSET_MATERIALIZATION / STEP_OUTPUT / STEP_SUCCESS or STEP_FAILURE, then
 * RUN_SUCCESS or RUN_FAILURE. Independent ops run concurrently. Op failures are recorded, not
 * thrown; invalid run config or resources mark the run FAILURE and throw.
 *
 * @example
 * await storage.addRun({ runId, jobName: etl.name, status: RunStatus.NOT_STARTED, tags: {}, runConfig: {}, createdAt: Date.now() });
 * const outcome = await executeRun(etl, runId, storage);
 */
export async function executeRun(job: AnyJobDefinition, runId: string, storage: Storage, options: ExecuteRunOptions = {}): Promise<RunOutcome> {
  const run = await loadExecutableRun(job, runId, storage);
  if (options.heartbeat !== undefined && run.tags[WorkerTag.WORKER_ID] !== options.heartbeat.processId) {
    // No launcher recorded this process (executeInProcess, `vigil job execute`): record it now,
    // registered first, so the run is never in flight without a process a monitor can judge.
    await options.heartbeat.register();
    await storage.assignRunWorker(runId, options.heartbeat.processId, {
      [WorkerTag.WORKER_ID]: options.heartbeat.processId,
      [WorkerTag.WORKER_HOST]: options.heartbeat.host,
      [WorkerTag.WORKER_PID]: String(options.heartbeat.pid),
    });
  }
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted === true) stop.abort();
  let endedElsewhere = false;
  const untrack = options.heartbeat?.track(runId, (reason) => {
    endedElsewhere ||= reason === "ended";
    stop.abort();
  });
  const execution = captureRunOutput(storage, runId, () => executeTrackedRun(job, run, storage, { ...options, signal: stop.signal }));
  try {
    return await (options.abandonAfterMs === undefined ? execution : Promise.race([execution, abandonOnCancel(run, storage, stop.signal, options.abandonAfterMs, execution)]));
  } catch (error) {
    // Ended by someone else meanwhile (failed by the run monitor, canceled with force): its end stands.
    if (VigilError.is(error, ErrorCode.INVALID_STATUS_TRANSITION) && (endedElsewhere || (await endedInStorage(storage, runId)))) {
      return { success: false, outputs: new Map(), failures: [], canceled: true };
    }
    throw error;
  } finally {
    untrack?.();
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Resolves (a canceled outcome) once the run was canceled and its ops have not finished within
 * `graceMs`, after ending it CANCELED itself; never resolves while the execution finishes in time.
 */
function abandonOnCancel(run: Run, storage: Storage, signal: AbortSignal, graceMs: number, execution: Promise<unknown>): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const settled = (): void => clearTimeout(timer);
    void execution.then(settled, settled);
    const onAbort = (): void => {
      timer = setTimeout(() => {
        const seconds = Math.round(graceMs / 100) / 10;
        void markRunCanceled(storage, run, `Run "${run.runId}" of job "${run.jobName}" was canceled; ops still running ${seconds} s after the cancel were abandoned.`)
          .catch(() => false)
          .then(() => resolve({ success: false, outputs: new Map(), failures: [], canceled: true }));
      }, graceMs);
      timer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}

async function endedInStorage(storage: Storage, runId: string): Promise<boolean> {
  const now = await storage.getRun(runId).catch(() => null);
  return now !== null && isTerminalRunStatus(now.status);
}

async function executeTrackedRun(job: AnyJobDefinition, run: Run, storage: Storage, options: ExecuteRunOptions): Promise<RunOutcome> {
  const runId = run.runId;
  const writer = new RunEventWriter(storage, runId, job.name);
  if (run.status === RunStatus.CANCELING || options.signal?.aborted === true) {
    await writeCanceled(writer, job.name, []);
    return { success: false, outputs: new Map(), failures: [], canceled: true };
  }
  const failRun = (message: string, error: unknown): Promise<void> =>
    writer.writeFinal({
      level: "ERROR",
      message: `Execution of run for "${job.name}" failed. ${message}`,
      event: { eventType: EventType.RUN_FAILURE, runStatus: RunStatus.FAILURE, error: serializeError(error) },
    });

  let resources: Record<string, ResourceDefinition>;
  let config: ParsedRunConfig;
  try {
    resources = runResources(job, options);
    config = validateRunConfigWith(job, run.runConfig, resources);
  } catch (error) {
    await failRun(toError(error).message, error);
    throw error;
  }

  await writer.write({ level: "DEBUG", message: `Started execution of run for "${job.name}".`, event: { eventType: EventType.RUN_START, runStatus: RunStatus.STARTED } });
  try {
    return await runWithResources(job, runId, resources, config, writer, failRun, options.signal);
  } catch (error) {
    // Storage failed mid-run (ours, not the user's): try to leave the run FAILURE rather than STARTED.
    await failRun(toError(error).message, error).catch(() => undefined);
    throw error;
  }
}

async function loadExecutableRun(job: AnyJobDefinition, runId: string, storage: Storage): Promise<Run> {
  const run = await storage.getRun(runId);
  if (run === null) throw new NotFoundError("run", runId, `Run "${runId}" does not exist; create it (storage.addRun) before executing it.`);
  if (run.jobName !== job.name) {
    throw new InvalidArgumentError(`Run "${runId}" is a run of job "${run.jobName}", not of job "${job.name}"; execute it with its own job.`);
  }
  if (!EXECUTABLE_STATUSES.includes(run.status)) {
    throw new InvalidArgumentError(`Run "${runId}" is ${run.status}; only a run that is ${EXECUTABLE_STATUSES.join(", ")} can be executed.`);
  }
  return run;
}

/**
 * The resources a run builds: shared ones under the job's own under the run's, restricted to what
 * the job declares or its ops need (transitively), so unrelated shared resources are not built.
 */
function runResources(job: AnyJobDefinition, options: ExecuteRunOptions): Record<string, ResourceDefinition> {
  const all = { ...toResourceDefinitions(options.sharedResources ?? {}), ...job.resources, ...toResourceDefinitions(options.resources ?? {}) };
  const wanted = new Set([...Object.keys(job.resources), ...Object.keys(options.resources ?? {}), ...job.requiredResourceKeys]);
  const selected: Record<string, ResourceDefinition> = {};
  const add = (key: string): void => {
    const def = all[key];
    if (key in selected || def === undefined) return;
    selected[key] = def;
    def.requiredResourceKeys.forEach(add);
  };
  wanted.forEach(add);
  for (const node of job.nodes) {
    for (const key of node.op.requiredResourceKeys) {
      if (!(key in selected)) {
        throw new InvalidArgumentError(`Op "${node.name}" in job "${job.name}" requires resource "${key}", which this run was not given; add it to the job's or the run's resources.`);
      }
    }
  }
  planResources(selected);
  return selected;
}

async function runWithResources(
  job: AnyJobDefinition,
  runId: string,
  resourceDefs: Record<string, ResourceDefinition>,
  config: ParsedRunConfig,
  writer: RunEventWriter,
  failRun: (message: string, error: unknown) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<RunOutcome> {
  const resourceConfig = Object.fromEntries(Object.entries(config.resources).map(([key, entry]) => [key, entry.config]));
  let built: Awaited<ReturnType<typeof initResources>>;
  try {
    built = await initResources(resourceDefs, resourceConfig, createEventLogger(writer, undefined));
  } catch (error) {
    const key = error instanceof UserCodeError ? error.definitionName : "?";
    const userMessage = error instanceof UserCodeError ? error.userMessage : toError(error).message;
    await failRun(`Resource "${key}" failed to initialise: ${userMessage}`, error instanceof UserCodeError ? error.cause : error);
    return { success: false, outputs: new Map(), failures: [{ stepKey: null, error: toError(error) }] };
  }

  const results = await runSteps(job, runId, config, built.values, writer, signal);
  try {
    await built.dispose();
  } catch (error) {
    // A failed teardown is reported, but does not undo what the ops did.
    writer.emit({ level: "ERROR", message: `Tearing down resources of run "${runId}" failed: ${toError(error).message}` });
  }

  const outputs = new Map<string, unknown>();
  const failures: RunFailure[] = [];
  for (const [key, result] of results) {
    if (result.status === "success") outputs.set(key, result.output);
    if (result.status === "failure") failures.push({ stepKey: key, error: result.error });
  }
  if (signal?.aborted === true) {
    const notRun = [...results].flatMap(([key, result]) => (result.status === "canceled" ? [key] : []));
    await writeCanceled(writer, job.name, notRun);
    return { success: false, outputs, failures, canceled: true };
  }
  if (failures.length > 0) {
    const first = failures[0]?.error;
    const summary = failures.map((f, i) => `${i === 0 ? "Op" : "op"} "${f.stepKey}" failed: ${(f.error as UserCodeError).userMessage}`).join("; ");
    await failRun(summary, first instanceof UserCodeError ? first.cause : first);
    return { success: false, outputs, failures };
  }
  await writer.write({ level: "DEBUG", message: `Finished execution of run for "${job.name}".`, event: { eventType: EventType.RUN_SUCCESS, runStatus: RunStatus.SUCCESS } });
  return { success: true, outputs, failures };
}

/** Starts every step as soon as its inputs are ready; returns each step's result in plan order. */
async function runSteps(
  job: AnyJobDefinition,
  runId: string,
  config: ParsedRunConfig,
  resources: Readonly<Record<string, unknown>>,
  writer: RunEventWriter,
  signal: AbortSignal | undefined,
): Promise<Map<string, StepResult>> {
  const plan = buildExecutionPlan(job);
  const promises = new Map<string, Promise<StepResult>>();
  for (const step of plan.steps) {
    // Plan order guarantees every upstream promise exists already.
    const upstream = step.upstream.map((key) => promises.get(key) ?? Promise.resolve<StepResult>({ status: "skipped" }));
    promises.set(
      step.key,
      Promise.all(upstream).then((inputs) => {
        // Checked between steps: a canceled run starts no further op.
        if (signal?.aborted === true) return { status: "canceled" as const };
        const blocked = step.upstream.filter((_, i) => inputs[i]?.status !== "success");
        if (blocked.length > 0) {
          writer.emit({
            stepKey: step.key,
            level: "WARNING",
            message: `Skipping op "${step.key}" because upstream op${blocked.length === 1 ? "" : "s"} ${[...new Set(blocked)].map((k) => `"${k}"`).join(", ")} did not succeed.`,
            event: { eventType: EventType.LOG },
          });
          return { status: "skipped" as const };
        }
        const values = inputs.map((r) => (r.status === "success" ? r.output : undefined));
        return executeStep(job, runId, step, values, config, resources, writer);
      }),
    );
  }
  const results = new Map<string, StepResult>();
  for (const [key, promise] of promises) results.set(key, await promise);
  return results;
}

/** Ends the run `CANCELED`, naming the ops that did not run. */
async function writeCanceled(writer: RunEventWriter, jobName: string, notRun: readonly string[]): Promise<void> {
  const ops = notRun.length === 0 ? "" : ` Op${notRun.length === 1 ? "" : "s"} ${notRun.map((k) => `"${k}"`).join(", ")} did not run.`;
  await writer.writeFinal({
    level: "WARNING",
    message: `Execution of run for "${jobName}" was canceled.${ops}`,
    event: { eventType: EventType.RUN_CANCELED, runStatus: RunStatus.CANCELED },
  });
}

async function executeStep(
  job: AnyJobDefinition,
  runId: string,
  step: ExecutionStep,
  inputs: readonly unknown[],
  config: ParsedRunConfig,
  allResources: Readonly<Record<string, unknown>>,
  writer: RunEventWriter,
): Promise<StepResult> {
  const { key, node } = step;
  const resources = Object.freeze(Object.fromEntries(node.op.requiredResourceKeys.map((k) => [k, allResources[k]])));
  const opConfig = config.ops[key]?.config ?? Object.freeze({});
  const context = createOpContext({ runId, jobName: job.name, opName: key, opConfig, resources, writer });
  writer.emit({ stepKey: key, level: "DEBUG", message: `Started execution of step "${key}".`, event: { eventType: EventType.STEP_START } });
  const started = performance.now();
  try {
    const output = await runUserCode("op", key, () => node.op.compute(context, inputs));
    const outputEvent = isJsonValue(output) ? { eventType: EventType.STEP_OUTPUT, output } : { eventType: EventType.STEP_OUTPUT };
    writer.emit({ stepKey: key, level: "DEBUG", message: `Op "${key}" yielded its output.`, event: outputEvent });
    const durationMs = Math.round(performance.now() - started);
    writer.emit({ stepKey: key, level: "DEBUG", message: `Finished execution of step "${key}" in ${durationMs}ms.`, event: { eventType: EventType.STEP_SUCCESS, durationMs } });
    return { status: "success", output };
  } catch (thrown) {
    const error = thrown instanceof UserCodeError ? thrown : new UserCodeError("op", key, thrown);
    const durationMs = Math.round(performance.now() - started);
    writer.emit({
      stepKey: key,
      level: "ERROR",
      message: `Op "${key}" failed: ${error.userMessage}`,
      event: { eventType: EventType.STEP_FAILURE, error: serializeError(error.cause ?? error), durationMs },
    });
    return { status: "failure", error };
  }
}
