import type { Run } from "../model/index.js";

/** A per-tag limit from `vigil.yaml` (`runCoordinator.tagConcurrencyLimits`). */
export interface TagConcurrencyLimit {
  key: string;
  /** Without a value, the limit counts every run that has the key, whatever its value. */
  value?: string | undefined;
  limit: number;
}

/** The limits the coordinator honours. */
export interface ConcurrencyLimits {
  /** -1: no limit. */
  maxConcurrentRuns: number;
  tagConcurrencyLimits: readonly TagConcurrencyLimit[];
}

/** True when `limits` never hold a run back. */
export function isUnlimited(limits: ConcurrencyLimits): boolean {
  return limits.maxConcurrentRuns < 0 && limits.tagConcurrencyLimits.length === 0;
}

function matches(run: Run, limit: TagConcurrencyLimit): boolean {
  const value = run.tags[limit.key];
  return value !== undefined && (limit.value === undefined || value === limit.value);
}

/**
 * Picks, oldest first, the queued runs that fit beside the in-flight ones: the global limit and
 * every tag limit a run matches. A run held back by a tag limit does not hold back later runs
 * without that tag.
 * Params: `queued` oldest first; `inFlight` the runs STARTING, STARTED or CANCELING.
 */
export function selectRunsToLaunch(queued: readonly Run[], inFlight: readonly Run[], limits: ConcurrencyLimits): Run[] {
  if (isUnlimited(limits)) return [...queued];
  let free = limits.maxConcurrentRuns < 0 ? Number.POSITIVE_INFINITY : limits.maxConcurrentRuns - inFlight.length;
  const tagFree = limits.tagConcurrencyLimits.map((l) => l.limit - inFlight.filter((run) => matches(run, l)).length);
  const selected: Run[] = [];
  for (const run of queued) {
    if (free <= 0) break;
    const applying = limits.tagConcurrencyLimits.flatMap((l, i) => (matches(run, l) ? [i] : []));
    if (applying.some((i) => (tagFree[i] ?? 0) <= 0)) continue;
    for (const i of applying) tagFree[i] = (tagFree[i] ?? 0) - 1;
    free -= 1;
    selected.push(run);
  }
  return selected;
}
