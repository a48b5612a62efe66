import { DefinitionError, serializeError, type SerializedError } from "../errors/index.js";
import { RUN_STATUS_EVENT, RunStatus, isRunStatus, type EventLogRecord, type EventType, type Run } from "../model/index.js";
import { requireInstance } from "./asset-sensor.js";
import type { InstanceReader } from "./instance-reader.js";
import type { AnyJobDefinition } from "./job.js";
import type { ResourceLike } from "./resource.js";
import { resolveRunRequests } from "./resolve-run-requests.js";
import { describeValue, type RunRequest } from "./run-request.js";
import {
  formatRunStatusCursor,
  parseRunStatusCursor,
  planRunStatusBatch,
  type RunStatusBatchEvent,
  type RunStatusBatchPlan,
  type RunStatusBatchSensor,
} from "./run-status-batch.js";
import { RunFailureSensorContext, RunStatusSensorContext } from "./run-status-sensor-context.js";
import { callSensorFunction } from "./sensor.js";
import { stateOf, type SensorEvaluationContext } from "./sensor-context.js";
import { SensorDefinition, asSensorError, makeEvaluation } from "./sensor-definition.js";
import { sensorMisuse } from "./sensor-errors.js";
import type { HandledRunEvent, SensorEvaluation, SensorFnReturn } from "./sensor-evaluation.js";
import type { SensorLogger } from "./sensor-log.js";
import { compileSensorOptions, isJobDefinition, type SensorCommonOptions } from "./sensor-options.js";
import { SkipReason } from "./skip-reason.js";

/** A job to watch: a job definition, or a job's name. */
export type MonitoredJob = AnyJobDefinition | string;

/** Options of `runFailureSensor(...)` (and of `runStatusSensor` minus `runStatus`). */
export interface RunFailureSensorOptions extends SensorCommonOptions {
  /** The jobs whose runs it watches; by default every job of its `Definitions`. */
  monitoredJobs?: readonly MonitoredJob[];
  /** Watch every run of the instance, whatever its job. Not together with `monitoredJobs`. */
  monitorAllJobs?: boolean;
  /** The job RunRequests returned by the function launch. */
  requestJob?: AnyJobDefinition;
  /** The jobs RunRequests returned by the function may launch (picked by `jobName`). */
  requestJobs?: readonly AnyJobDefinition[];
}

/** Options of `runStatusSensor(...)`. */
export interface RunStatusSensorOptions extends RunFailureSensorOptions {
  /** The status to react to. */
  runStatus: RunStatus;
}

/** A run status sensor's function. */
export type RunStatusSensorFn = (context: RunStatusSensorContext) => SensorFnReturn;
/** A run failure sensor's function. */
export type RunFailureSensorFn = (context: RunFailureSensorContext) => SensorFnReturn;

/**
 * A sensor made by `runStatusSensor` or `runFailureSensor`.
 *
 * @example
 * onFailure.eventType; // "RUN_FAILURE"
 */
export class RunStatusSensorDefinition extends SensorDefinition implements RunStatusBatchSensor {
  readonly runStatus: RunStatus;
  /** The status event type it reacts to. */
  readonly eventType: EventType;
  /** Job names it watches; `null` means the jobs of its `Definitions` (or all, with `monitorAllJobs`). */
  readonly monitoredJobNames: readonly string[] | null;
  readonly monitorAllJobs: boolean;
  readonly #fn: (context: RunStatusSensorContext) => SensorFnReturn;

  /** @internal Use `runStatusSensor(...)` or `runFailureSensor(...)`. */
  constructor(
    options: ConstructorParameters<typeof SensorDefinition>[0],
    watch: { runStatus: RunStatus; eventType: EventType; monitoredJobNames: readonly string[] | null; monitorAllJobs: boolean },
    fn: (context: RunStatusSensorContext) => SensorFnReturn,
  ) {
    super(options, (context) => evaluateRunStatusTick(this, context));
    this.runStatus = watch.runStatus;
    this.eventType = watch.eventType;
    this.monitoredJobNames = watch.monitoredJobNames;
    this.monitorAllJobs = watch.monitorAllJobs;
    this.#fn = fn;
  }

  /**
   * With a `RunStatusSensorContext` (from `buildRunStatusSensorContext`): calls the function once
   * with it and returns what it returned as a `SensorEvaluation` (no cursor logic; `cursor` is
   * `null`). With a sensor context (what the daemon passes): one tick over every pending status
   * event, as `planRunStatusBatch` and `runRunStatusHandlers` describe.
   *
   * @example
   * await mySensor.evaluate(buildRunStatusSensorContext({ sensorName: "my_sensor", instance, run, event }));
   */
  override async evaluate(context?: SensorEvaluationContext | RunStatusSensorContext): Promise<SensorEvaluation> {
    if (context instanceof RunStatusSensorContext) {
      try {
        return await this.#evaluateOnce(context);
      } catch (error) {
        throw asSensorError(this.name, error);
      }
    }
    return super.evaluate(context);
  }

  async #evaluateOnce(context: RunStatusSensorContext): Promise<SensorEvaluation> {
    const ctx = this.sensorType === "RUN_STATUS" && this.runStatus === RunStatus.FAILURE ? context.forRunFailure() : context;
    stateOf(ctx.base).cursorManagedBy = "a run status sensor";
    const out = await callSensorFunction(this.name, ctx.base, this.requiredResourceKeys, () => this.#fn(ctx));
    if (out.resultCursor !== undefined) {
      throw sensorMisuse(
        this.name,
        `it returned a SensorResult with cursor ${JSON.stringify(out.resultCursor)}, but the cursor of a run status sensor is managed by Vigil; leave SensorResult.cursor out.`,
      );
    }
    return makeEvaluation(resolveRunRequests(this.name, this.jobs, out.runRequests), out.skipReason, null);
  }
}

const RUN_STATUS_KEYS = ["runStatus", "monitoredJobs", "monitorAllJobs"];

/**
 * Defines a sensor that reacts to runs reaching `runStatus`. Each tick calls `fn` once per new
 * status event of a watched job, in the order they were stored (a backlog beyond one tick's budget goes on at once in the next); the first
 * tick only sets the cursor ("Initiating …"), so history is not replayed. RunRequests it returns
 * launch `requestJob(s)`.
 *
 * @example
 * export const onSuccess = runStatusSensor(
 *   { name: "report_success", runStatus: RunStatus.SUCCESS, monitoredJobs: [jobA], requestJob: jobB },
 *   async (context) => notify(`Job "${context.run.jobName}" succeeded.`),
 * );
 * @see docs/sensors.md
 */
export function runStatusSensor(options: RunStatusSensorOptions, fn: RunStatusSensorFn): RunStatusSensorDefinition {
  return makeRunStatusSensor("runStatusSensor", options, fn);
}

/**
 * Defines a sensor that reacts to failed runs: a run status sensor on `RunStatus.FAILURE` whose
 * context is a `RunFailureSensorContext` (`failureEvent`, `getStepFailureEvents()`).
 *
 * @example
 * export const onFailure = runFailureSensor({ name: "report_failure" }, (context) => notify(`failed: ${context.failureEvent.message}`));
 * @see docs/sensors.md
 */
export function runFailureSensor(options: RunFailureSensorOptions, fn: RunFailureSensorFn): RunStatusSensorDefinition {
  if (typeof options === "object" && options !== null && "runStatus" in options) {
    throw new DefinitionError(`Sensor "${String((options as { name?: unknown }).name)}" is a runFailureSensor, which always watches FAILURE; remove runStatus or use runStatusSensor().`);
  }
  return makeRunStatusSensor("runFailureSensor", { ...options, runStatus: RunStatus.FAILURE }, (context) => fn(context.forRunFailure()));
}

function makeRunStatusSensor(factory: string, options: RunStatusSensorOptions, fn: RunStatusSensorFn): RunStatusSensorDefinition {
  const compiled = compileSensorOptions(factory, "RUN_STATUS", options, RUN_STATUS_KEYS, { single: "requestJob", many: "requestJobs" });
  const name = compiled.name;
  const runStatus: unknown = options.runStatus;
  const eventType = isRunStatus(runStatus) ? RUN_STATUS_EVENT[runStatus] : null;
  if (!isRunStatus(runStatus) || eventType === null) {
    const allowed = Object.values(RunStatus).filter((s) => RUN_STATUS_EVENT[s] !== null);
    throw new DefinitionError(`Sensor "${name}" has runStatus ${describeValue(runStatus)}; give one of: ${allowed.map((s) => `RunStatus.${s}`).join(", ")}.`);
  }
  const { monitoredJobs, monitorAllJobs = false } = options;
  if (typeof monitorAllJobs !== "boolean") throw new DefinitionError(`Sensor "${name}" has monitorAllJobs ${describeValue(monitorAllJobs)}; give true or false.`);
  if (monitoredJobs !== undefined && monitorAllJobs) {
    throw new DefinitionError(`Sensor "${name}" was given both monitoredJobs and monitorAllJobs; give only one of them.`);
  }
  let monitoredJobNames: readonly string[] | null = null;
  if (monitoredJobs !== undefined) {
    if (!Array.isArray(monitoredJobs)) throw new DefinitionError(`Sensor "${name}" has monitoredJobs ${describeValue(monitoredJobs)}; give an array of jobs or job names.`);
    monitoredJobNames = Object.freeze(
      (monitoredJobs as readonly unknown[]).map((job, index) => {
        if (isJobDefinition(job)) return job.name;
        if (typeof job === "string" && job.length > 0) return job;
        throw new DefinitionError(`Sensor "${name}" has monitoredJobs[${index}] ${describeValue(job)}, which is neither a job nor a job name.`);
      }),
    );
  }
  if (typeof fn !== "function") {
    throw new DefinitionError(`Sensor "${name}" needs a function as ${factory}()'s second argument, such as (context) => notify(context.run.jobName).`);
  }
  return new RunStatusSensorDefinition(compiled, { runStatus, eventType, monitoredJobNames, monitorAllJobs }, fn);
}

/** What `runRunStatusHandlers` needs besides the plan. */
export interface RunStatusHandlerOptions {
  instance: InstanceReader | null;
  resources?: Readonly<Record<string, ResourceLike>>;
  log?: SensorLogger;
  /**
   * `Date.now()` after which no further event is started (at least one always is): the tick
   * commits the cursor up to the last event handled and leaves the rest for the next tick.
   */
  deadline?: number;
}

/**
 * Calls a run status sensor's function for every event of a batch plan, in order: RunRequests it
 * returns are collected (targets resolved to `requestJob(s)`, tagged), and one that throws does not
 * stop the others. Returns the tick's `SensorEvaluation`: its cursor moves past every event;
 * `handledRunEvents` lists them; `error` (naming each failed run) is set when a handler threw —
 * the tick is then `FAILURE`, yet its cursor is stored, so the alert is not retried forever.
 *
 * @example
 * const plan = planRunStatusBatch(onFailure, { records, runs, cursor });
 * const evaluation = await runRunStatusHandlers(onFailure, plan, { instance });
 * @see docs/sensors.md
 */
export async function runRunStatusHandlers(definition: RunStatusSensorDefinition, plan: RunStatusBatchPlan, options: RunStatusHandlerOptions): Promise<SensorEvaluation> {
  if (plan.kind === "initiate") return makeEvaluation([], plan.skipReason, plan.cursor);
  const runRequests: RunRequest[] = [];
  const handled: HandledRunEvent[] = [];
  const failures: { event: RunStatusBatchEvent; error: Error }[] = [];
  let stoppedAt: RunStatusBatchEvent | null = null;
  for (const event of plan.events) {
    if (handled.length > 0 && options.deadline !== undefined && Date.now() >= options.deadline) {
      stoppedAt = event;
      break;
    }
    const context = new RunStatusSensorContext({
      sensorName: definition.name,
      instance: options.instance,
      run: event.run,
      event: event.record.entry,
      ...(options.resources === undefined ? {} : { resources: options.resources }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    const item: HandledRunEvent = { runId: event.run.runId, jobName: event.run.jobName, storageId: event.record.storageId };
    try {
      const evaluation = await definition.evaluate(context);
      runRequests.push(...evaluation.runRequests);
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      failures.push({ event, error });
      item.error = serializeError(error);
    }
    handled.push(item);
  }
  // Out of time: the cursor stops after the last event handled; the next tick goes on from there.
  const last = handled.at(-1);
  const cursor = stoppedAt === null || last === undefined ? plan.cursor : formatRunStatusCursor({ storageId: last.storageId });
  const evaluation: SensorEvaluation = { runRequests, cursor, handledRunEvents: handled };
  if (stoppedAt !== null) evaluation.backlog = true;
  if (handled.length === 0) {
    evaluation.skipReason = new SkipReason(`No new ${definition.eventType} events for runs watched by sensor "${definition.name}".`);
  }
  if (failures.length > 0) evaluation.error = batchError(definition.name, failures);
  return evaluation;
}

function batchError(sensorName: string, failures: readonly { event: RunStatusBatchEvent; error: Error }[]): SerializedError {
  const list = failures.map(({ event, error }) => `run "${event.run.runId}" (job "${event.run.jobName}"): ${userMessage(error)}`).join("; ");
  const message = `Error in sensor "${sensorName}": it threw while handling ${failures.length} run(s): ${list}.`;
  const stacks = failures.map(({ event, error }) => `--- run "${event.run.runId}" ---\n${error.stack ?? error.message}`).join("\n");
  const first = failures[0];
  return {
    name: "UserCodeError",
    message,
    stack: `UserCodeError: ${message}\n${stacks}`,
    code: "USER_CODE_ERROR",
    ...(first === undefined ? {} : { cause: serializeError(first.error) }),
  };
}

function userMessage(error: Error): string {
  const own = (error as { userMessage?: unknown }).userMessage;
  return typeof own === "string" ? own : error.message;
}

/** The daemon's tick: read pending status events and their runs from the instance, plan, handle. */
async function evaluateRunStatusTick(definition: RunStatusSensorDefinition, context: SensorEvaluationContext): Promise<SensorEvaluation> {
  const state = stateOf(context);
  state.sensorName ??= definition.name;
  const instance = requireInstance(definition.name, state.instance, "a run status sensor reads run status events");
  const deadline = state.timeBudgetMs === null ? undefined : Date.now() + state.timeBudgetMs;
  const records = await readPendingStatusEvents(instance, definition.eventType, state.cursor);
  const runIds = [...new Set(records.map((r) => r.entry.runId))];
  // Every run of the batch in one query.
  const runs = runIds.length === 0 ? [] : await instance.getRuns({ runIds });
  const plan = planRunStatusBatch(definition, { records, runs, cursor: state.cursor, definitionsJobNames: state.definitionsJobNames });
  const evaluation = await runRunStatusHandlers(definition, plan, {
    instance,
    resources: state.resourceDefinitions,
    log: state.log,
    ...(deadline === undefined ? {} : { deadline }),
  });
  // A full batch may have more behind it: the daemon goes on at once.
  if (records.length >= RUN_STATUS_BATCH_LIMIT) evaluation.backlog = true;
  state.cursor = evaluation.cursor;
  return evaluation;
}

/**
 * Status events one tick reads at most. Not a ceiling on throughput: a tick with a full batch (or
 * out of time) is followed at once by the next, which goes on from its committed cursor.
 */
export const RUN_STATUS_BATCH_LIMIT = 1000;

/** The status events after the cursor, oldest first, at most one batch; with no readable cursor, just the newest. */
async function readPendingStatusEvents(instance: InstanceReader, eventType: EventType, cursor: string | null): Promise<EventLogRecord[]> {
  const parsed = parseRunStatusCursor(cursor);
  if (parsed === null) return instance.getEventRecords({ eventType, limit: 1 });
  return instance.getEventRecords({ eventType, afterCursor: parsed.storageId, ascending: true, limit: RUN_STATUS_BATCH_LIMIT });
}
