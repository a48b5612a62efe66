import { DefinitionError } from "../errors/index.js";
import { DefaultSensorStatus } from "./default-sensor-status.js";
import type { AnyJobDefinition } from "./job.js";
import { describeValue } from "./run-request.js";

/** The kinds of sensor. */
export type SensorType = "STANDARD" | "ASSET" | "MULTI_ASSET" | "RUN_STATUS";

/** Options every kind of sensor takes. */
export interface SensorCommonOptions {
  /** Unique within a `Definitions`; letters, digits and underscores. */
  name: string;
  description?: string;
  /** The least time between the starts of two evaluations. @defaultValue `30` */
  minimumIntervalSeconds?: number;
  /** @defaultValue `DefaultSensorStatus.STOPPED` */
  defaultStatus?: DefaultSensorStatus;
  /** Resource keys the sensor reads from `context.resources`; `Definitions` must supply them. */
  requiredResourceKeys?: readonly string[];
  /**
   * How long one evaluation may take before the daemon kills it. When omitted, the instance's
   * `sensors.timeoutSeconds` applies, else 60. @defaultValue `60`
   */
  timeoutSeconds?: number;
  /** Labels for the UI (not copied to runs). */
  tags?: Readonly<Record<string, string>>;
}

/** A sensor's options, normalised once: every field defined, frozen. */
export interface CompiledSensorOptions {
  readonly sensorType: SensorType;
  readonly name: string;
  readonly description: string | null;
  readonly minimumIntervalSeconds: number;
  readonly defaultStatus: DefaultSensorStatus;
  /** The evaluation timeout: the sensor's own, else 60 (see `timeoutSecondsIsDefault`). */
  readonly timeoutSeconds: number;
  /** True when the sensor gave no `timeoutSeconds`, so an instance-wide default may replace the 60. */
  readonly timeoutSecondsIsDefault: boolean;
  readonly requiredResourceKeys: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** The jobs RunRequests may launch (`job`/`jobs`, or `requestJob`/`requestJobs`). */
  readonly jobs: readonly AnyJobDefinition[];
  readonly targetJobNames: readonly string[];
}

/** The default of `minimumIntervalSeconds`. */
export const DEFAULT_MINIMUM_INTERVAL_SECONDS = 30;
/** The default of `timeoutSeconds`. */
export const DEFAULT_SENSOR_TIMEOUT_SECONDS = 60;

const NAME_PATTERN = /^[A-Za-z0-9_]+$/;
const COMMON_KEYS = ["name", "description", "minimumIntervalSeconds", "defaultStatus", "requiredResourceKeys", "timeoutSeconds", "tags"];

/** @internal How a factory names its target options (`job`/`jobs` or `requestJob`/`requestJobs`). */
export interface TargetOptionNames {
  single: string;
  many: string;
}

/**
 * @internal Checks and normalises a sensor's options into a frozen, fully defaulted record.
 * `factory` ("sensor", "assetSensor"…) and `extraKeys` (its own option names) serve the messages.
 */
export function compileSensorOptions(
  factory: string,
  sensorType: SensorType,
  options: unknown,
  extraKeys: readonly string[],
  targetNames: TargetOptionNames = { single: "job", many: "jobs" },
): CompiledSensorOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new DefinitionError(`${factory}() needs an options object such as { name: "my_sensor" } as its first argument, not ${describeValue(options)}.`);
  }
  const o = options as Record<string, unknown>;
  const name = o.name;
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new DefinitionError(`Sensor name ${describeValue(name)} is invalid; use only letters, digits and underscores (^[A-Za-z0-9_]+$).`);
  }
  const known = [...COMMON_KEYS, targetNames.single, targetNames.many, ...extraKeys];
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) {
      throw new DefinitionError(`Sensor "${name}" was given unknown option "${key}"; ${factory}() accepts: ${known.join(", ")}.`);
    }
  }
  const fail = (detail: string): never => {
    throw new DefinitionError(`Sensor "${name}" ${detail}`);
  };
  const minimumIntervalSeconds = o.minimumIntervalSeconds ?? DEFAULT_MINIMUM_INTERVAL_SECONDS;
  if (typeof minimumIntervalSeconds !== "number" || !Number.isFinite(minimumIntervalSeconds) || minimumIntervalSeconds <= 0) {
    fail(`has minimumIntervalSeconds ${describeValue(o.minimumIntervalSeconds)}; give a number of seconds greater than 0 (default ${DEFAULT_MINIMUM_INTERVAL_SECONDS}).`);
  }
  const timeoutSeconds = o.timeoutSeconds ?? DEFAULT_SENSOR_TIMEOUT_SECONDS;
  if (typeof timeoutSeconds !== "number" || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    fail(`has timeoutSeconds ${describeValue(o.timeoutSeconds)}; give a number of seconds greater than 0 (default ${DEFAULT_SENSOR_TIMEOUT_SECONDS}).`);
  }
  const defaultStatus = o.defaultStatus ?? DefaultSensorStatus.STOPPED;
  if (defaultStatus !== DefaultSensorStatus.RUNNING && defaultStatus !== DefaultSensorStatus.STOPPED) {
    fail(`has defaultStatus ${describeValue(defaultStatus)}; give DefaultSensorStatus.RUNNING or DefaultSensorStatus.STOPPED.`);
  }
  const description = o.description ?? null;
  if (description !== null && typeof description !== "string") fail(`has description ${describeValue(description)}; give a string.`);
  const keys = o.requiredResourceKeys ?? [];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string" && k.length > 0)) {
    fail(`has requiredResourceKeys ${describeValue(o.requiredResourceKeys)}; give an array of resource keys such as ["db"].`);
  }
  const tags = o.tags ?? {};
  if (typeof tags !== "object" || tags === null || Array.isArray(tags) || !Object.values(tags).every((v) => typeof v === "string")) {
    fail(`has tags ${describeValue(o.tags)}; give a Record<string, string>.`);
  }
  const jobs = compileTargets(name, o, targetNames);
  return Object.freeze({
    sensorType,
    name,
    description: description as string | null,
    minimumIntervalSeconds: minimumIntervalSeconds as number,
    defaultStatus: defaultStatus as DefaultSensorStatus,
    timeoutSeconds: timeoutSeconds as number,
    timeoutSecondsIsDefault: o.timeoutSeconds === undefined,
    requiredResourceKeys: Object.freeze([...new Set(keys as string[])]),
    tags: Object.freeze({ ...(tags as Record<string, string>) }),
    jobs,
    targetJobNames: Object.freeze(jobs.map((j) => j.name)),
  });
}

/** @internal True for a job made by `job(...)` (checked structurally). */
export function isJobDefinition(value: unknown): value is AnyJobDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { name?: unknown }).name === "string" &&
    typeof (value as { runConfigShape?: unknown }).runConfigShape === "function"
  );
}

function compileTargets(name: string, o: Record<string, unknown>, names: TargetOptionNames): readonly AnyJobDefinition[] {
  const single = o[names.single];
  const many = o[names.many];
  if (single !== undefined && many !== undefined) {
    throw new DefinitionError(`Sensor "${name}" was given both ${names.single} and ${names.many}; give only one of them.`);
  }
  if (single !== undefined) {
    if (!isJobDefinition(single)) throw new DefinitionError(`Sensor "${name}" has ${names.single} ${describeValue(single)}, which is not a job; pass one made by job(...).`);
    return Object.freeze([single]);
  }
  if (many === undefined) return Object.freeze([]);
  if (!Array.isArray(many) || many.length === 0) {
    throw new DefinitionError(`Sensor "${name}" has ${names.many} ${describeValue(many)}; give a non-empty array of jobs, or leave it out.`);
  }
  const seen = new Set<string>();
  for (const [index, job] of (many as unknown[]).entries()) {
    if (!isJobDefinition(job)) throw new DefinitionError(`Sensor "${name}" has ${names.many}[${index}] ${describeValue(job)}, which is not a job; pass jobs made by job(...).`);
    if (seen.has(job.name)) throw new DefinitionError(`Sensor "${name}" lists job "${job.name}" twice in ${names.many}; list each job once.`);
    seen.add(job.name);
  }
  return Object.freeze([...(many as AnyJobDefinition[])]);
}
