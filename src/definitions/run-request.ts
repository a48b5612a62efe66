import { reservedTagIn, reservedTagMessage } from "./reserved-tags.js";
import { InvalidArgumentError } from "../errors/index.js";
import type { RunConfigValue } from "../model/index.js";

/** Options of `new RunRequest(...)`. */
export interface RunRequestOptions<TRunConfig extends RunConfigValue = RunConfigValue> {
  /**
   * Idempotence key: at most one run is ever created per (sensor, run key). Omit it to launch a run
   * on every request.
   */
  runKey?: string;
  /** Run config of the run, checked against the target job before anything is stored. @defaultValue `{}` */
  runConfig?: TRunConfig;
  /** Tags of the run; `vigil/sensor_name` is added over them. @defaultValue `{}` */
  tags?: Record<string, string>;
  /** Which of the sensor's `jobs` to launch; may be omitted when the sensor targets one job. */
  jobName?: string;
}

// A brand rather than the prototype, so `instanceof` also holds when two copies of Vigil are loaded.
const brand = Symbol.for("vigil.RunRequest");

/**
 * A request, returned or yielded by a sensor, to launch one run of its target job.
 *
 * @example
 * yield new RunRequest({ runKey: filename, runConfig: { ops: { process_file: { config: { filename } } } } });
 * @see docs/sensors.md
 */
export class RunRequest<TRunConfig extends RunConfigValue = RunConfigValue> {
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }

  /** The idempotence key, or `undefined` to launch on every request. */
  readonly runKey: string | undefined;
  /** The run config (`{}` when omitted). */
  readonly runConfig: TRunConfig;
  /** The run's tags, `undefined` when omitted (a request a sensor's evaluation resolved always has them). */
  readonly tags: Readonly<Record<string, string>> | undefined;
  /** The target job, `undefined` when omitted (resolved by the evaluation). */
  readonly jobName: string | undefined;

  constructor(options: RunRequestOptions<TRunConfig> = {}) {
    if (typeof options !== "object" || options === null) {
      throw new InvalidArgumentError(`RunRequest options ${describeValue(options)} are invalid; pass an object such as { runKey, runConfig }.`);
    }
    const { runKey, runConfig, tags, jobName } = options;
    if (runKey !== undefined && typeof runKey !== "string") {
      throw new InvalidArgumentError(`RunRequest runKey ${describeValue(runKey)} is not a string; give a string or leave it out.`);
    }
    if (jobName !== undefined && (typeof jobName !== "string" || jobName.length === 0)) {
      throw new InvalidArgumentError(`RunRequest jobName ${describeValue(jobName)} is not a job name; give a non-empty string or leave it out.`);
    }
    if (runConfig !== undefined && !isPlainObject(runConfig)) {
      throw new InvalidArgumentError(`RunRequest runConfig ${describeValue(runConfig)} is not an object; give { ops: { [opName]: { config } } } or leave it out.`);
    }
    if (tags !== undefined) {
      if (!isPlainObject(tags)) {
        throw new InvalidArgumentError(`RunRequest tags ${describeValue(tags)} are not an object; give a Record<string, string> or leave them out.`);
      }
      for (const [key, value] of Object.entries(tags)) {
        if (typeof value !== "string") {
          throw new InvalidArgumentError(`RunRequest tag "${key}" has value ${describeValue(value)}, which is not a string; tag values must be strings.`);
        }
      }
      const reserved = reservedTagIn(tags as Record<string, string>);
      if (reserved !== null) throw new InvalidArgumentError(reservedTagMessage("RunRequest", reserved));
    }
    this.runKey = runKey;
    this.runConfig = (runConfig ?? {}) as TRunConfig;
    this.tags = tags === undefined ? undefined : Object.freeze({ ...tags });
    this.jobName = jobName;
  }

  /** A copy with some fields replaced (used when the evaluation resolves the target and tags). */
  with(changes: RunRequestOptions<TRunConfig>): RunRequest<TRunConfig> {
    return new RunRequest<TRunConfig>({
      runKey: "runKey" in changes ? changes.runKey : this.runKey,
      runConfig: changes.runConfig ?? this.runConfig,
      tags: changes.tags ?? (this.tags === undefined ? undefined : { ...this.tags }),
      jobName: "jobName" in changes ? changes.jobName : this.jobName,
    } as RunRequestOptions<TRunConfig>);
  }
}
Object.defineProperty(RunRequest.prototype, brand, { value: true });

/**
 * @internal A copy of `request` with its target job and its (frozen) tags resolved. Skips the
 * constructor's option checks, which `request` already passed: a tick may resolve 100,000 requests.
 */
export function resolvedRunRequest<T extends RunConfigValue>(request: RunRequest<T>, jobName: string, tags: Readonly<Record<string, string>>): RunRequest<T> {
  const copy = Object.create(RunRequest.prototype) as { -readonly [K in keyof RunRequest<T>]: RunRequest<T>[K] };
  // Same fields, in the constructor's order.
  copy.runKey = request.runKey;
  copy.runConfig = request.runConfig;
  copy.tags = tags;
  copy.jobName = jobName;
  return copy as RunRequest<T>;
}

/** @internal */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** @internal A short, safe rendering of any value for an error message: `42 (number)`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  const type = Array.isArray(value) ? "array" : typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value;
  let text: string;
  try {
    text = typeof value === "function" ? `function ${value.name || "(anonymous)"}` : typeof value === "bigint" ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  if (text.length > 80) text = `${text.slice(0, 77)}...`;
  return `${text} (${type})`;
}
