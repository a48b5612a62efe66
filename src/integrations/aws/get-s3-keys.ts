import type { S3Client } from "@aws-sdk/client-s3";
import { InvalidArgumentError } from "../../index.js";
import { defaultS3Client, loadS3Sdk } from "./load-s3-sdk.js";

/**
 * Options of `getS3Keys(bucket, options)`.
 *
 * @example
 * const options: GetS3KeysOptions = { prefix: "incoming/", sinceKey: context.cursor };
 * @see docs/integrations/aws.md
 */
export interface GetS3KeysOptions {
  /** Only keys that start with this. @defaultValue `""` (the whole bucket) */
  prefix?: string;
  /**
   * Only keys after this one in S3's (lexicographic) listing order. It need not exist: a deleted
   * key still marks a position. `null` is the same as leaving it out, so `context.cursor` fits.
   */
  sinceKey?: string | null;
  /**
   * The client to list with. @defaultValue one `new S3Client({})` per process, configured from
   * the environment (`AWS_REGION`, credentials chain)
   */
  s3Client?: S3Client;
  /** Stop after this many keys: the first `limit` keys after `sinceKey`. @defaultValue no limit */
  limit?: number;
}

/** The most keys one ListObjectsV2 call returns. */
const PAGE_SIZE = 1000;

/**
 * Lists the keys of `bucket` (under `prefix`) that come after `sinceKey`, in S3's listing order
 * (lexicographic by UTF-8 bytes), across every page. It asks S3 to start after `sinceKey`
 * (ListObjectsV2 `StartAfter`), so it never lists again what it has already seen, whatever the size
 * of the bucket. Unlike the reference system's `get_s3_keys`, it does not sort by modification
 * time, and a `sinceKey` that no longer exists is not an error.
 *
 * The AWS SDK (`@aws-sdk/client-s3`, an optional peer dependency) is loaded on the first call.
 *
 * @example
 * import { getS3Keys } from "vigil/aws";
 *
 * const newKeys = await getS3Keys("my_s3_bucket", { prefix: "incoming/", sinceKey: context.cursor });
 * @see docs/integrations/aws.md
 */
export async function getS3Keys(bucket: string, options: GetS3KeysOptions = {}): Promise<string[]> {
  const { prefix = "", sinceKey = null, limit = Number.POSITIVE_INFINITY } = options;
  if (typeof bucket !== "string" || bucket.length === 0) {
    throw new InvalidArgumentError(`getS3Keys() got bucket ${JSON.stringify(bucket) ?? String(bucket)}; give the bucket's name.`);
  }
  if (typeof prefix !== "string") throw new InvalidArgumentError(`getS3Keys() got prefix ${String(prefix)} for bucket "${bucket}"; give a string.`);
  if (sinceKey !== null && typeof sinceKey !== "string") {
    throw new InvalidArgumentError(`getS3Keys() got sinceKey ${String(sinceKey)} for bucket "${bucket}"; give a key, or null to list from the start.`);
  }
  if (limit !== Number.POSITIVE_INFINITY && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidArgumentError(`getS3Keys() got limit ${String(limit)} for bucket "${bucket}"; give a whole number of keys greater than 0.`);
  }
  const [{ ListObjectsV2Command }, client] = await Promise.all([loadS3Sdk(), options.s3Client ?? defaultS3Client()]);
  const keys: string[] = [];
  let continuationToken: string | undefined;
  do {
    const request = {
      Bucket: bucket,
      ...(prefix === "" ? {} : { Prefix: prefix }),
      // StartAfter only on the first page: the continuation token carries the position after that.
      ...(continuationToken === undefined ? (sinceKey === null || sinceKey === "" ? {} : { StartAfter: sinceKey }) : { ContinuationToken: continuationToken }),
      MaxKeys: Math.min(PAGE_SIZE, limit - keys.length),
    };
    let page;
    try {
      page = await client.send(new ListObjectsV2Command(request));
    } catch (error) {
      throw listingError(bucket, prefix, error);
    }
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined) keys.push(object.Key);
    }
    continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined && keys.length < limit);
  return keys.length > limit ? keys.slice(0, limit) : keys;
}

function listingError(bucket: string, prefix: string, error: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const own = (e as { code?: unknown }).code;
  const code = e.name !== "Error" ? e.name : typeof own === "string" ? own : null;
  const where = prefix === "" ? `S3 bucket "${bucket}"` : `S3 bucket "${bucket}" under prefix "${prefix}"`;
  return new Error(`Listing ${where} failed${code === null ? "" : ` with ${code}`}: ${e.message}; check the bucket name, its region and the credentials.`, { cause: error });
}
