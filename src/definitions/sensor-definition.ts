import { InvalidArgumentError, UserCodeError, VigilError } from "../errors/index.js";
import type { AnyJobDefinition } from "./job.js";
import type { SkipReason } from "./skip-reason.js";
import type { RunRequest } from "./run-request.js";
import type { DefaultSensorStatus } from "./default-sensor-status.js";
import { buildSensorContext, SensorEvaluationContext, stateOf, type SensorContextOptions } from "./sensor-context.js";
import type { SensorEvaluation } from "./sensor-evaluation.js";
import type { CompiledSensorOptions, SensorType } from "./sensor-options.js";
import type { SensorLike } from "./sensor-like.js";

/** @internal How a kind of sensor evaluates itself in a context. */
export type SensorEvaluator = (context: SensorEvaluationContext) => Promise<SensorEvaluation>;

/**
 * A sensor: a function the daemon evaluates every `minimumIntervalSeconds` to decide which runs
 * to launch. Made by `sensor`, `assetSensor`, `multiAssetSensor`, `runStatusSensor` or
 * `runFailureSensor`; its options are normalised once into `options` (frozen, fully defaulted).
 *
 * @example
 * const evaluation = await mySensor.evaluate(buildSensorContext({ cursor: "0" }));
 * evaluation.runRequests.map((r) => r.runKey);
 * @see docs/sensors.md
 */
export class SensorDefinition implements SensorLike {
  /** The normalised options. */
  readonly options: CompiledSensorOptions;
  readonly name: string;
  readonly sensorType: SensorType;
  readonly description: string | null;
  readonly minimumIntervalSeconds: number;
  readonly defaultStatus: DefaultSensorStatus;
  readonly timeoutSeconds: number;
  readonly requiredResourceKeys: readonly string[];
  /** The jobs its RunRequests may launch. */
  readonly jobs: readonly AnyJobDefinition[];
  readonly targetJobNames: readonly string[];
  readonly #evaluator: SensorEvaluator;

  /** @internal Use the factories (`sensor(...)` and friends). */
  constructor(options: CompiledSensorOptions, evaluator: SensorEvaluator) {
    this.options = options;
    this.name = options.name;
    this.sensorType = options.sensorType;
    this.description = options.description;
    this.minimumIntervalSeconds = options.minimumIntervalSeconds;
    this.defaultStatus = options.defaultStatus;
    this.timeoutSeconds = options.timeoutSeconds;
    this.requiredResourceKeys = options.requiredResourceKeys;
    this.jobs = options.jobs;
    this.targetJobNames = options.targetJobNames;
    this.#evaluator = evaluator;
  }

  /** The one job this sensor targets; an error when it has none or several. */
  get job(): AnyJobDefinition {
    const [only, ...rest] = this.jobs;
    if (only === undefined) throw new InvalidArgumentError(`Sensor "${this.name}" has no job; it was defined without a job option.`);
    if (rest.length > 0) {
      throw new InvalidArgumentError(`Sensor "${this.name}" has several jobs (${this.targetJobNames.join(", ")}); read sensor.jobs instead of sensor.job.`);
    }
    return only;
  }

  /**
   * Evaluates the sensor once, applying every rule the daemon applies (return-form normalisation,
   * target resolution, run config validation), and returns what it decided. Without a context, an
   * empty one is built. Throws a `VigilError` naming the sensor; what the sensor's own code threw
   * arrives as a `UserCodeError` with the user's message and stack. On a throw the context's
   * cursor is left as it was.
   *
   * @example
   * const { runRequests, skipReason, cursor } = await mySensor.evaluate(buildSensorContext({ cursor: "0" }));
   */
  async evaluate(context?: SensorEvaluationContext): Promise<SensorEvaluation> {
    const ctx = context ?? buildSensorContext();
    const state = stateOf(ctx);
    const cursorBefore = state.cursor;
    state.cursorUpdated = false;
    try {
      return await this.#evaluator(ctx);
    } catch (error) {
      state.cursor = cursorBefore;
      throw asSensorError(this.name, error);
    }
  }
}

/**
 * Evaluates `definition` once: what the daemon (and `vigil sensor preview`) calls. `context` is a
 * built context, or the options to build one from (cursor, instance, last tick time, resources…).
 * Returns the `SensorEvaluation` or throws a `VigilError` naming the sensor.
 *
 * @example
 * const evaluation = await evaluateSensor(defs.getSensor("my_sensor"), { cursor: state.cursor, instance });
 * @see docs/sensors.md
 */
export function evaluateSensor(definition: SensorDefinition, context: SensorEvaluationContext | SensorContextOptions = {}): Promise<SensorEvaluation> {
  const ctx = context instanceof SensorEvaluationContext ? context : buildSensorContext(context);
  return definition.evaluate(ctx);
}

/** @internal The evaluation record: `skipReason` only when present. */
export function makeEvaluation(runRequests: RunRequest[], skipReason: SkipReason | undefined, cursor: string | null): SensorEvaluation {
  return skipReason === undefined ? { runRequests, cursor } : { runRequests, skipReason, cursor };
}

/** @internal Anything but a Vigil error becomes a `UserCodeError` naming the sensor. */
export function asSensorError(sensorName: string, error: unknown): Error {
  if (VigilError.is(error)) return error as VigilError;
  return new UserCodeError("sensor", sensorName, error);
}
