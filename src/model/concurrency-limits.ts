import type { RunQueueBlocker } from "./ownership.js";

/** A per-tag limit from `vigil.yaml` (`runCoordinator.tagConcurrencyLimits`). */
export interface TagConcurrencyLimit {
  key: string;
  /** Without a value, the limit counts every run that has the key, whatever its value. */
  value?: string | undefined;
  limit: number;
}

/** The limits run claims honour. */
export interface ConcurrencyLimits {
  /** -1: no limit. */
  maxConcurrentRuns: number;
  tagConcurrencyLimits: readonly TagConcurrencyLimit[];
}

/** Runs in flight (STARTING, STARTED, CANCELING): in all, and per tag limit (same order as the limits). */
export interface InFlightCounts {
  total: number;
  byTagLimit: readonly number[];
}

/** True when `limits` never hold a run back. */
export function isUnlimited(limits: ConcurrencyLimits): boolean {
  return limits.maxConcurrentRuns < 0 && limits.tagConcurrencyLimits.length === 0;
}

/** True when a run with `tags` counts against `limit`. */
export function limitMatches(tags: Readonly<Record<string, string>>, limit: TagConcurrencyLimit): boolean {
  const value = tags[limit.key];
  return value !== undefined && (limit.value === undefined || value === limit.value);
}

/**
 * Picks queued runs, oldest first, beside the in-flight ones: each pick takes a slot of the global
 * limit and of every tag limit the run matches. A run held back by a tag limit does not hold back
 * later runs without that tag.
 *
 * @example
 * const plan = new ClaimPlan(limits, counts);
 * const picked = queued.filter((run) => plan.take(run.tags));
 */
export class ClaimPlan {
  readonly #limits: ConcurrencyLimits;
  #free: number;
  readonly #tagFree: number[];

  constructor(limits: ConcurrencyLimits, counts: InFlightCounts) {
    this.#limits = limits;
    this.#free = limits.maxConcurrentRuns < 0 ? Number.POSITIVE_INFINITY : limits.maxConcurrentRuns - counts.total;
    this.#tagFree = limits.tagConcurrencyLimits.map((l, i) => l.limit - (counts.byTagLimit[i] ?? 0));
  }

  /** False once the global limit is full: no later run can be taken. */
  get hasRoom(): boolean {
    return this.#free > 0;
  }

  /** Takes a slot for a run with `tags` when every limit it matches has room; returns whether it did. */
  take(tags: Readonly<Record<string, string>>): boolean {
    if (this.#free <= 0) return false;
    const applying = this.#limits.tagConcurrencyLimits.flatMap((l, i) => (limitMatches(tags, l) ? [i] : []));
    if (applying.some((i) => (this.#tagFree[i] ?? 0) <= 0)) return false;
    for (const i of applying) this.#tagFree[i] = (this.#tagFree[i] ?? 0) - 1;
    this.#free -= 1;
    return true;
  }
}

/** The limits that are full for a run with `tags` (what `getRunQueueInfo` reports). */
export function fullLimitsFor(tags: Readonly<Record<string, string>>, limits: ConcurrencyLimits, counts: InFlightCounts): RunQueueBlocker[] {
  const out: RunQueueBlocker[] = [];
  if (limits.maxConcurrentRuns >= 0 && counts.total >= limits.maxConcurrentRuns) {
    out.push({ key: "maxConcurrentRuns", limit: limits.maxConcurrentRuns, inFlight: counts.total });
  }
  limits.tagConcurrencyLimits.forEach((l, i) => {
    const inFlight = counts.byTagLimit[i] ?? 0;
    if (limitMatches(tags, l) && inFlight >= l.limit) out.push({ key: l.key, ...(l.value === undefined ? {} : { value: l.value }), limit: l.limit, inFlight });
  });
  return out;
}
