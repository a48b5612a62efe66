import { InvalidArgumentError } from "../errors/index.js";
import { EventType, type EventLogEntry, type EventLogRecord, type Run } from "../model/index.js";
import type { InstanceReader } from "./instance-reader.js";
import type { ResourceLike } from "./resource.js";
import { describeValue } from "./run-request.js";
import { buildSensorContext, type SensorEvaluationContext } from "./sensor-context.js";
import type { SensorLogger } from "./sensor-log.js";

/** Options of `buildRunStatusSensorContext(...)`. */
export interface RunStatusSensorContextOptions {
  sensorName: string;
  /** The instance the run lives in (for `getStepFailureEvents` and your own reads). */
  instance?: InstanceReader | null;
  /** The run whose status changed. */
  run: Run;
  /** Its status event (an entry, or a record as read from the instance). */
  event: EventLogEntry | EventLogRecord;
  resources?: Readonly<Record<string, ResourceLike>>;
  log?: SensorLogger;
}

/**
 * What a run status sensor's function receives: the run whose status changed and its status event.
 *
 * @example
 * runStatusSensor({ name: "report_success", runStatus: RunStatus.SUCCESS }, (context) =>
 *   notify(`Job "${context.run.jobName}" succeeded.`));
 * @see docs/sensors.md
 */
export class RunStatusSensorContext {
  readonly sensorName: string;
  /** The run whose status changed. */
  readonly run: Run;
  /** The run's status event. */
  readonly event: EventLogEntry;
  /** @internal Carries instance, resources and log. */
  readonly base: SensorEvaluationContext;

  /** Prefer `buildRunStatusSensorContext(options)`. */
  constructor(options: RunStatusSensorContextOptions, base?: SensorEvaluationContext) {
    if (typeof options !== "object" || options === null) {
      throw new InvalidArgumentError(`buildRunStatusSensorContext options ${describeValue(options)} are invalid; pass { sensorName, instance, run, event }.`);
    }
    const { sensorName, run, event } = options;
    if (typeof sensorName !== "string" || sensorName.length === 0) {
      throw new InvalidArgumentError(`buildRunStatusSensorContext sensorName ${describeValue(sensorName)} is invalid; give the sensor's name.`);
    }
    if (typeof run !== "object" || run === null || typeof run.runId !== "string") {
      throw new InvalidArgumentError(`buildRunStatusSensorContext run ${describeValue(run)} is not a Run; pass result.run from executeInProcess or a run read from the instance.`);
    }
    const entry = toEntry(event);
    if (entry === null) {
      throw new InvalidArgumentError(`buildRunStatusSensorContext event ${describeValue(event)} is not an event log entry; pass e.g. result.getJobSuccessEvent().`);
    }
    this.sensorName = sensorName;
    this.run = run;
    this.event = entry;
    this.base =
      base ??
      buildSensorContext({
        sensorName,
        instance: options.instance ?? null,
        ...(options.resources === undefined ? {} : { resources: options.resources }),
        ...(options.log === undefined ? {} : { log: options.log }),
      });
  }

  /** The instance; an error when the context was built without one. */
  get instance(): InstanceReader {
    return this.base.instance;
  }

  /** The sensor's resources while it is evaluated. */
  get resources(): Readonly<Record<string, unknown>> {
    return this.base.resources;
  }

  get log(): SensorLogger {
    return this.base.log;
  }

  /**
   * The same context as a `RunFailureSensorContext`, for testing a `runFailureSensor`. Its event
   * must be a `RUN_FAILURE` event.
   */
  forRunFailure(): RunFailureSensorContext {
    const type = this.event.event?.eventType;
    if (type !== undefined && type !== EventType.RUN_FAILURE) {
      throw new InvalidArgumentError(
        `forRunFailure() needs a RUN_FAILURE event, but the context of sensor "${this.sensorName}" holds a ${type} event for run "${this.run.runId}"; build it with result.getJobFailureEvent().`,
      );
    }
    return new RunFailureSensorContext({ sensorName: this.sensorName, run: this.run, event: this.event }, this.base);
  }
}

/**
 * What a run failure sensor's function receives: a run status context whose event is the run's
 * `RUN_FAILURE` event (`failureEvent.message` carries the op's error).
 *
 * @example
 * runFailureSensor({ name: "report_failure" }, async (context) => {
 *   const steps = await context.getStepFailureEvents();
 *   notify(`failed: ${context.failureEvent.message} (${steps.length} step(s))`);
 * });
 * @see docs/sensors.md
 */
export class RunFailureSensorContext extends RunStatusSensorContext {
  /** The run's `RUN_FAILURE` event. */
  get failureEvent(): EventLogEntry {
    return this.event;
  }

  /** The run's `STEP_FAILURE` events, in order, read from the instance. */
  async getStepFailureEvents(): Promise<EventLogEntry[]> {
    const records = await this.instance.getEventRecords({ eventType: EventType.STEP_FAILURE, runIds: [this.run.runId], ascending: true });
    return records.map((r) => r.entry);
  }

  override forRunFailure(): RunFailureSensorContext {
    return this;
  }
}

/**
 * Builds the context of a run status sensor for a test, from a finished run and its status event.
 * Use `.forRunFailure()` on it for a run failure sensor.
 *
 * @example
 * const result = await myJobSucceeds.executeInProcess({ instance });
 * const context = buildRunStatusSensorContext({ sensorName: "my_email_sensor", instance, run: result.run, event: result.getJobSuccessEvent() });
 * await myEmailSensor.evaluate(context);
 * @see docs/sensors.md
 */
export function buildRunStatusSensorContext(options: RunStatusSensorContextOptions): RunStatusSensorContext {
  return new RunStatusSensorContext(options);
}

function toEntry(event: unknown): EventLogEntry | null {
  if (typeof event !== "object" || event === null) return null;
  const maybeRecord = event as Partial<EventLogRecord>;
  if (typeof maybeRecord.storageId === "number" && typeof maybeRecord.entry === "object" && maybeRecord.entry !== null) return maybeRecord.entry;
  const entry = event as Partial<EventLogEntry>;
  return typeof entry.runId === "string" && typeof entry.message === "string" ? (entry as EventLogEntry) : null;
}
