import { InvalidArgumentError } from "../errors/index.js";
import type { InstanceReader } from "./instance-reader.js";
import { buildResources, toResourceDefinitions, type ResourceDefinition, type ResourceLike } from "./resource.js";
import { describeValue } from "./run-request.js";
import { runSensorCode, sensorDefinitionProblem, sensorMisuse } from "./sensor-errors.js";
import { SensorLog, type SensorLogger } from "./sensor-log.js";

/** What `buildSensorContext` (and the daemon) give a sensor's context. Every field is optional. */
export interface SensorContextOptions {
  /** The cursor stored by the previous evaluation. @defaultValue `null` */
  cursor?: string | null;
  /** The instance `context.instance` returns; reading it without one is an error. */
  instance?: InstanceReader | null;
  /** The last run key the sensor requested. @defaultValue `null` */
  lastRunKey?: string | null;
  /** ms since epoch: the start time of the last tick that ended. @defaultValue `null` */
  lastTickCompletionTime?: number | null;
  /** The sensor's name; `evaluate` fills it in when omitted. */
  sensorName?: string;
  /** The name of the `Definitions` the sensor belongs to. @defaultValue `null` */
  repositoryName?: string | null;
  /** Resources (definitions or plain values) built when the evaluation starts and disposed after it. */
  resources?: Readonly<Record<string, ResourceLike>>;
  /** Where `context.log` writes; by default a `SensorLog` that keeps the lines in memory. */
  log?: SensorLogger;
  /**
   * The job names of the sensor's `Definitions`. Run status sensors without `monitoredJobs` watch
   * these; when unknown (`undefined`), they watch every job.
   */
  definitionsJobNames?: readonly string[];
  /**
   * How long an evaluation may spend handling events before it commits what it did and leaves the
   * rest to the next tick (the daemon gives half the sensor's timeout). @defaultValue no limit
   */
  timeBudgetMs?: number;
}

/** @internal Mutable state of a context, shared by the specialised contexts built on top of it. */
export interface SensorContextState {
  cursor: string | null;
  cursorUpdated: boolean;
  /** When set, the kind of sensor that manages the cursor itself ("an asset sensor"…): `updateCursor` is refused. */
  cursorManagedBy: string | null;
  sensorName: string | undefined;
  readonly instance: InstanceReader | null;
  readonly lastRunKey: string | null;
  readonly lastTickCompletionTime: number | null;
  readonly repositoryName: string | null;
  readonly resourceDefinitions: Readonly<Record<string, ResourceDefinition>>;
  /** The built resources while an evaluation runs. */
  builtResources: (Readonly<Record<string, unknown>> & { dispose(): Promise<void> }) | null;
  readonly log: SensorLogger;
  readonly definitionsJobNames: readonly string[] | null;
  readonly timeBudgetMs: number | null;
}

const states = new WeakMap<object, SensorContextState>();
const noResources: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * What a sensor's function receives: the cursor and a way to move it, what the daemon knows about
 * earlier ticks, the instance to read events and runs from, resources and a logger.
 *
 * @example
 * const mySensor = sensor({ name: "my_sensor", job: myJob }, (context) => {
 *   const since = Number(context.cursor ?? 0);
 *   context.updateCursor(String(Date.now()));
 *   ...
 * });
 * @see docs/sensors.md
 */
export class SensorEvaluationContext {
  /** Prefer `buildSensorContext(options)`. */
  constructor(options: SensorContextOptions = {}) {
    states.set(this, createState(options));
  }

  /** The cursor: the stored one, or the last value given to `updateCursor` during this evaluation. */
  get cursor(): string | null {
    return stateOf(this).cursor;
  }

  /**
   * Sets the cursor stored when this evaluation ends (`null` clears it). Anything but a string or
   * `null` is an error naming the sensor.
   */
  updateCursor(cursor: string | null): void {
    const state = stateOf(this);
    const name = nameForMessages(state);
    if (state.cursorManagedBy !== null) {
      throw sensorMisuse(name, `it called context.updateCursor(), but the cursor of ${state.cursorManagedBy} is managed by Vigil; remove the call.`);
    }
    if (cursor !== null && typeof cursor !== "string") {
      throw sensorMisuse(name, `context.updateCursor() was called with ${describeValue(cursor)}; give a string (e.g. JSON.stringify(state)) or null to clear the cursor.`);
    }
    state.cursor = cursor;
    state.cursorUpdated = true;
  }

  /** The last run key the sensor requested, or `null`. */
  get lastRunKey(): string | null {
    return stateOf(this).lastRunKey;
  }

  /**
   * ms since epoch: the *start* time of the last tick that ended (so using it as a "since" bound
   * misses nothing that happened while that tick ran), or `null` before the first.
   */
  get lastTickCompletionTime(): number | null {
    return stateOf(this).lastTickCompletionTime;
  }

  /** The sensor being evaluated. */
  get sensorName(): string {
    const name = stateOf(this).sensorName;
    if (name === undefined) {
      throw new InvalidArgumentError(`This sensor context has no sensorName: it was built without one and no sensor has evaluated it yet; pass buildSensorContext({ sensorName }).`);
    }
    return name;
  }

  /** The name of the `Definitions` the sensor belongs to, or `null`. */
  get repositoryName(): string | null {
    return stateOf(this).repositoryName;
  }

  /** The instance to read runs and events from; an error when the context was built without one. */
  get instance(): InstanceReader {
    const state = stateOf(this);
    if (state.instance === null) {
      const who = state.sensorName === undefined ? "A sensor" : `Sensor "${state.sensorName}"`;
      throw new InvalidArgumentError(
        `${who} read context.instance, but its context was built without an instance; pass one, e.g. buildSensorContext({ instance: await Instance.ephemeral() }).`,
      );
    }
    return state.instance;
  }

  /**
   * The resources, built when the evaluation starts (only then can a failing resource fail the
   * sensor) and disposed when it ends; `{}` when the context has none.
   */
  get resources(): Readonly<Record<string, unknown>> {
    const state = stateOf(this);
    if (state.builtResources !== null) return state.builtResources;
    if (Object.keys(state.resourceDefinitions).length === 0) return noResources;
    throw new InvalidArgumentError(
      `Sensor "${nameForMessages(state)}" read context.resources outside an evaluation; resources are built when the sensor is evaluated, so read them inside the sensor function.`,
    );
  }

  /** Where the sensor writes log lines. */
  get log(): SensorLogger {
    return stateOf(this).log;
  }
}

/**
 * Builds a context for calling a sensor in a test: `await mySensor.evaluate(buildSensorContext({ cursor: "0" }))`.
 *
 * @example
 * const context = buildSensorContext({ cursor: "0", instance });
 * const { runRequests } = await myDirectorySensorCursor.evaluate(context);
 * @see docs/sensors.md
 */
export function buildSensorContext(options: SensorContextOptions = {}): SensorEvaluationContext {
  return new SensorEvaluationContext(options);
}

/** @internal */
export function stateOf(context: SensorEvaluationContext): SensorContextState {
  const state = states.get(context);
  if (state === undefined) {
    throw new InvalidArgumentError(`${describeValue(context)} is not a sensor context; build one with buildSensorContext(...).`);
  }
  return state;
}

/** @internal Makes `context` share `base`'s state (cursor, resources, log…), for specialised contexts. */
export function shareState(context: object, base: SensorEvaluationContext): void {
  states.set(context, stateOf(base));
}

/**
 * @internal Starts an evaluation on `context`: binds the sensor name and builds the resources the
 * sensor needs (its `requiredResourceKeys` and what they depend on; every given resource when it
 * names none). Returns the function that ends it (disposes the resources).
 */
export async function openEvaluation(
  context: SensorEvaluationContext,
  sensorName: string,
  requiredResourceKeys: readonly string[],
): Promise<() => Promise<void>> {
  const state = stateOf(context);
  state.sensorName ??= sensorName;
  const defs = state.resourceDefinitions;
  for (const key of requiredResourceKeys) {
    if (!(key in defs)) {
      const given = Object.keys(defs);
      throw sensorDefinitionProblem(
        sensorName,
        `it requires resource "${key}", which was not provided (given: ${given.length ? given.join(", ") : "none"}); pass it in buildSensorContext({ resources }) or Definitions({ resources }).`,
      );
    }
  }
  const wanted = requiredResourceKeys.length > 0 ? withDependencies(defs, requiredResourceKeys) : defs;
  if (Object.keys(wanted).length === 0 || state.builtResources !== null) return async () => {};
  state.builtResources = await runSensorCode(sensorName, () => buildResources(wanted));
  return async () => {
    const built = state.builtResources;
    state.builtResources = null;
    if (built !== null) await runSensorCode(sensorName, () => built.dispose());
  };
}

function withDependencies(defs: Readonly<Record<string, ResourceDefinition>>, keys: readonly string[]): Record<string, ResourceDefinition> {
  const out: Record<string, ResourceDefinition> = {};
  const visit = (key: string): void => {
    const def = defs[key];
    if (def === undefined || key in out) return;
    out[key] = def;
    def.requiredResourceKeys.forEach(visit);
  };
  keys.forEach(visit);
  return out;
}

function nameForMessages(state: SensorContextState): string {
  return state.sensorName ?? "(unnamed)";
}

function createState(options: SensorContextOptions): SensorContextState {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(`buildSensorContext options ${describeValue(options)} are invalid; pass an object such as { cursor: "0" }.`);
  }
  const { cursor = null, instance = null, lastRunKey = null, lastTickCompletionTime = null, sensorName, repositoryName = null } = options;
  check(cursor === null || typeof cursor === "string", "cursor", cursor, "a string or null");
  check(instance === null || (typeof instance === "object" && typeof instance.getEventRecords === "function"), "instance", instance, "an Instance");
  check(lastRunKey === null || typeof lastRunKey === "string", "lastRunKey", lastRunKey, "a string or null");
  check(lastTickCompletionTime === null || Number.isFinite(lastTickCompletionTime), "lastTickCompletionTime", lastTickCompletionTime, "a time in ms since epoch, or null");
  check(sensorName === undefined || typeof sensorName === "string", "sensorName", sensorName, "a string");
  check(repositoryName === null || typeof repositoryName === "string", "repositoryName", repositoryName, "a string or null");
  check(options.log === undefined || typeof options.log?.info === "function", "log", options.log, "a logger with debug, info, warning and error");
  const jobNames = options.definitionsJobNames;
  check(jobNames === undefined || (Array.isArray(jobNames) && jobNames.every((n) => typeof n === "string")), "definitionsJobNames", jobNames, "an array of job names");
  return {
    cursor,
    cursorUpdated: false,
    cursorManagedBy: null,
    sensorName,
    instance,
    lastRunKey,
    lastTickCompletionTime,
    repositoryName,
    resourceDefinitions: Object.freeze(toResourceDefinitions(options.resources ?? {})),
    builtResources: null,
    log: options.log ?? new SensorLog(),
    definitionsJobNames: jobNames === undefined ? null : Object.freeze([...jobNames]),
    timeBudgetMs: options.timeBudgetMs ?? null,
  };
}

function check(ok: boolean, field: string, value: unknown, expected: string): void {
  if (!ok) throw new InvalidArgumentError(`buildSensorContext ${field} ${describeValue(value)} is invalid; give ${expected}.`);
}
