import type { S3Client } from "@aws-sdk/client-s3";
import {
  DefinitionError,
  RunRequest,
  SensorResult,
  SkipReason,
  sensor,
  type AnyJobDefinition,
  type DefaultSensorStatus,
  type JobDefinition,
  type RunConfigInput,
  type RunConfigValue,
  type SensorDefinition,
} from "../../index.js";
import { getS3Keys } from "./get-s3-keys.js";

/**
 * The run config a job takes (loose for a job whose config is not typed).
 *
 * @example
 * const config: S3SensorRunConfig<typeof logFileJob> = { ops: { process_file: { config: { filename: "a.csv" } } } };
 */
export type S3SensorRunConfig<TJob> = TJob extends JobDefinition<infer C> ? C : RunConfigInput;

/**
 * Options of `s3Sensor(...)`.
 *
 * @example
 * const options: S3SensorOptions<typeof logFileJob> = { name: "new_files", bucket: "my_s3_bucket", job: logFileJob };
 * @see docs/integrations/aws.md
 */
export interface S3SensorOptions<TJob extends AnyJobDefinition = AnyJobDefinition> {
  /** Unique within a `Definitions`; letters, digits and underscores. */
  name: string;
  bucket: string;
  /** Only keys that start with this. @defaultValue `""` (the whole bucket) */
  prefix?: string;
  /** The job each new key launches. */
  job: TJob;
  /** The run config of the run for `key`. @defaultValue `() => ({})` */
  runConfigFn?: (key: string) => S3SensorRunConfig<TJob> | Promise<S3SensorRunConfig<TJob>>;
  /** @defaultValue a client from the environment (see `getS3Keys`) */
  s3Client?: S3Client;
  /**
   * The most runs one tick requests: the first N keys after the cursor. The rest wait for the
   * next ticks, in order. @defaultValue `1000`
   */
  maxKeysPerTick?: number;
  /** @defaultValue `30` */
  minimumIntervalSeconds?: number;
  /** @defaultValue `DefaultSensorStatus.STOPPED` */
  defaultStatus?: DefaultSensorStatus;
  description?: string;
}

/**
 * The default of `s3Sensor`'s `maxKeysPerTick`.
 *
 * @example
 * DEFAULT_MAX_KEYS_PER_TICK; // 1000
 */
export const DEFAULT_MAX_KEYS_PER_TICK = 1000;

/**
 * Defines a sensor that launches one run of `job` per new key in an S3 bucket (under `prefix`),
 * with the key as run key. The cursor holds the last key handled; each tick lists from there with
 * `getS3Keys` (ListObjectsV2 `StartAfter`), so keys are handled in S3's lexicographic order, each
 * once. With no new key it skips, naming the bucket and prefix. A key overwritten after it was
 * handled does not launch again, and deleting keys (even the cursor's) changes nothing: see
 * docs/integrations/aws.md for choosing key names that sort in arrival order.
 *
 * @example
 * import { s3Sensor } from "vigil/aws";
 *
 * export const newFiles = s3Sensor({
 *   name: "new_files",
 *   bucket: "my_s3_bucket",
 *   prefix: "incoming/",
 *   job: processFileJob,
 *   runConfigFn: (key) => ({ ops: { process_file: { config: { filename: key } } } }),
 * });
 * @see docs/integrations/aws.md
 */
export function s3Sensor<TJob extends AnyJobDefinition>(options: S3SensorOptions<TJob>): SensorDefinition {
  if (typeof options !== "object" || options === null) {
    throw new DefinitionError(`s3Sensor() needs an options object such as { name: "new_files", bucket: "my_bucket", job }.`);
  }
  const { name, bucket, prefix = "", job, runConfigFn, s3Client, maxKeysPerTick = DEFAULT_MAX_KEYS_PER_TICK } = options;
  const fail = (detail: string): never => {
    throw new DefinitionError(`Sensor "${String(name)}" ${detail}`);
  };
  if (typeof bucket !== "string" || bucket.length === 0) fail(`has bucket ${JSON.stringify(bucket) ?? String(bucket)}; give the S3 bucket's name.`);
  if (typeof prefix !== "string") fail(`has prefix ${String(prefix)}; give a key prefix such as "incoming/", or leave it out.`);
  if (!Number.isInteger(maxKeysPerTick) || maxKeysPerTick < 1) fail(`has maxKeysPerTick ${String(maxKeysPerTick)}; give a whole number greater than 0 (default ${DEFAULT_MAX_KEYS_PER_TICK}).`);
  if (runConfigFn !== undefined && typeof runConfigFn !== "function") fail(`has runConfigFn ${String(runConfigFn)}; give a function of the key, or leave it out.`);
  if (job === undefined) fail(`has no job; give the job each new key launches.`);

  const where = prefix === "" ? `S3 bucket "${bucket}" (no prefix)` : `S3 bucket "${bucket}" under prefix "${prefix}"`;
  return sensor(
    {
      name,
      job,
      ...(options.minimumIntervalSeconds === undefined ? {} : { minimumIntervalSeconds: options.minimumIntervalSeconds }),
      ...(options.defaultStatus === undefined ? {} : { defaultStatus: options.defaultStatus }),
      ...(options.description === undefined ? {} : { description: options.description }),
    },
    async (context) => {
      const since = context.cursor;
      const keys = await getS3Keys(bucket, { prefix, sinceKey: since, limit: maxKeysPerTick, ...(s3Client === undefined ? {} : { s3Client }) });
      const last = keys.at(-1);
      if (last === undefined) {
        return new SkipReason(`No new keys in ${where}${since === null ? "" : ` after "${since}"`}.`);
      }
      const runRequests: RunRequest[] = [];
      for (const key of keys) {
        const runConfig = runConfigFn === undefined ? {} : await runConfigFn(key);
        runRequests.push(new RunRequest({ runKey: key, runConfig: runConfig as RunConfigValue }));
      }
      return new SensorResult({ runRequests, cursor: last });
    },
  );
}
