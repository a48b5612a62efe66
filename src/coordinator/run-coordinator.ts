import { ErrorCode, toError, VigilError } from "../errors/index.js";
import { EventType, RunStatus, type EventLogEntry, type Run } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { markRunFailed } from "../execution/mark-run-failed.js";
import { isUnlimited, selectRunsToLaunch, type TagConcurrencyLimit } from "./select-runs.js";

/** What the coordinator needs of a launcher (a `RunLauncher` from `launchers/` fits). */
export interface LaunchTarget {
  readonly kind: string;
  /**
   * The launcher's owner id (`<host>/<pid>/<random>`), recorded on each claim (`claimedBy`), so a
   * monitor can fail at once a run claimed by a process that died before launching it.
   */
  readonly ownerId?: string;
  /** Starts a run in STARTING; rejects when it could not. */
  launch(run: Run): Promise<void>;
}

/** Options of `new RunCoordinator(...)`. */
export interface RunCoordinatorOptions {
  storage: Storage;
  launcher: LaunchTarget;
  /** At most this many runs STARTING, STARTED or CANCELING at once; -1 for no limit. @defaultValue -1 */
  maxConcurrentRuns?: number;
  /** @defaultValue [] */
  tagConcurrencyLimits?: readonly TagConcurrencyLimit[];
  /** Runs claimed per storage transaction. @defaultValue 500 */
  claimBatchSize?: number;
  /** Launches in progress at once. @defaultValue 16 */
  launchConcurrency?: number;
}

const IN_FLIGHT: readonly RunStatus[] = [RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING];

/**
 * Moves `QUEUED` runs to a launcher, oldest first, within the global and per-tag concurrency limits
 * of `vigil.yaml`. A claim is a RUN_STARTING event stored through `storeEvents`, whose status check
 * runs under the event-append lock: when two coordinators race for a run, the second one's claim
 * fails and it leaves the run to the first, so no run is launched twice. A launch that rejects
 * leaves the run `FAILURE` with the launcher's error.
 *
 * @example
 * const coordinator = new RunCoordinator({ storage, launcher, maxConcurrentRuns: 10 });
 * const launched = await coordinator.dequeue(); // call on every daemon iteration
 * @see docs/runs.md
 */
export class RunCoordinator {
  readonly #storage: Storage;
  readonly #launcher: LaunchTarget;
  readonly #limits: { maxConcurrentRuns: number; tagConcurrencyLimits: readonly TagConcurrencyLimit[] };
  readonly #claimBatchSize: number;
  readonly #launchConcurrency: number;

  constructor(options: RunCoordinatorOptions) {
    this.#storage = options.storage;
    this.#launcher = options.launcher;
    this.#limits = { maxConcurrentRuns: options.maxConcurrentRuns ?? -1, tagConcurrencyLimits: options.tagConcurrencyLimits ?? [] };
    this.#claimBatchSize = options.claimBatchSize ?? 500;
    this.#launchConcurrency = options.launchConcurrency ?? 16;
  }

  /**
   * Claims the queued runs that fit the limits and launches them. Resolves, once every launch has
   * started or failed, with the runs this call claimed (a run whose launch failed is `FAILURE` by
   * then). Runs another coordinator claimed first are skipped.
   */
  async dequeue(): Promise<Run[]> {
    const queued = (await this.#storage.getRuns({ statuses: [RunStatus.QUEUED] })).reverse();
    if (queued.length === 0) return [];
    const inFlight = isUnlimited(this.#limits) ? [] : await this.#storage.getRuns({ statuses: IN_FLIGHT });
    const selected = selectRunsToLaunch(queued, inFlight, this.#limits);
    const claimed: Run[] = [];
    for (let i = 0; i < selected.length; i += this.#claimBatchSize) {
      claimed.push(...(await this.#claim(selected.slice(i, i + this.#claimBatchSize))));
    }
    await this.#launchAll(claimed);
    return claimed;
  }

  /** Moves the runs to STARTING in one transaction; on a lost race, retries with those still QUEUED. */
  async #claim(runs: readonly Run[]): Promise<Run[]> {
    let pending = runs;
    while (pending.length > 0) {
      const now = Date.now();
      try {
        await this.#storage.storeEvents(pending.map((run) => startingEntry(run, now, this.#launcher.ownerId)));
        return pending.map((run) => ({ ...run, status: RunStatus.STARTING }));
      } catch (error) {
        if (!VigilError.is(error, ErrorCode.INVALID_STATUS_TRANSITION) && !VigilError.is(error, ErrorCode.NOT_FOUND)) throw error;
        // Someone else moved (or deleted) at least one of them: keep those still ours to take.
        const still = await this.#storage.getRuns({ runIds: pending.map((r) => r.runId), statuses: [RunStatus.QUEUED] });
        const ids = new Set(still.map((r) => r.runId));
        pending = pending.filter((r) => ids.has(r.runId));
      }
    }
    return [];
  }

  async #launchAll(runs: readonly Run[]): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < runs.length) {
        const run = runs[next++];
        if (run !== undefined) await this.#launch(run);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#launchConcurrency, runs.length) }, worker));
  }

  async #launch(run: Run): Promise<void> {
    try {
      await this.#launcher.launch(run);
    } catch (error) {
      const message = `Launching run "${run.runId}" of job "${run.jobName}" with the ${this.#launcher.kind} launcher failed: ${toError(error).message}`;
      await markRunFailed(this.#storage, run, message, error);
    }
  }
}

function startingEntry(run: Run, timestamp: number, claimedBy: string | undefined): EventLogEntry {
  return {
    runId: run.runId,
    jobName: run.jobName,
    timestamp,
    level: "DEBUG",
    message: `Launching run "${run.runId}" of job "${run.jobName}".`,
    event: { eventType: EventType.RUN_STARTING, runStatus: RunStatus.STARTING, ...(claimedBy === undefined ? {} : { claimedBy }) },
  };
}
