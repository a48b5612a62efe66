/** The prefix of the tags Vigil writes itself (sensor, run key, tick, worker, retries…). */
export const RESERVED_TAG_PREFIX = "vigil/";

/** The one `vigil/` tag users set: how many times a failed run is retried. */
const USER_SETTABLE = new Set(["vigil/max_retries"]);

/**
 * @internal The first of `tags`' keys that a user may not set (a `vigil/` tag other than
 * `vigil/max_retries`), or null. Vigil trusts those tags (the tick commit, the run monitor), so a
 * user's copy must never reach a run.
 */
export function reservedTagIn(tags: Readonly<Record<string, string>>): string | null {
  for (const key of Object.keys(tags)) {
    if (key.startsWith(RESERVED_TAG_PREFIX) && !USER_SETTABLE.has(key)) return key;
  }
  return null;
}

/** @internal The sentence explaining why `key` was refused on `owner` (e.g. `RunRequest`, `Job "etl"`). */
export function reservedTagMessage(owner: string, key: string): string {
  return `${owner} sets tag "${key}", but tags under "${RESERVED_TAG_PREFIX}" are written by Vigil itself (only "vigil/max_retries" may be set); rename the tag.`;
}
