import { toError } from "../errors/index.js";
import type { Run, TagConcurrencyLimit } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { markRunFailed } from "../execution/mark-run-failed.js";

/** What the coordinator needs of a launcher (a `RunLauncher` from `launchers/` fits). */
export interface LaunchTarget {
  readonly kind: string;
  /** The queue launcher's routing: claims then enqueue their runs in the work queue, in the same transaction. */
  readonly queue?: { defaultTask: string; tasks: Readonly<Record<string, string>> };
  /** Starts a run in STARTING; rejects when it could not. */
  launch(run: Run): Promise<void>;
}

/** Options of `new RunCoordinator(...)`. */
export interface RunCoordinatorOptions {
  storage: Storage;
  launcher: LaunchTarget;
  /** The registered process id of the claimer (a daemon), recorded on every claim. */
  claimedBy: string;
  /** At most this many runs STARTING, STARTED or CANCELING at once, in the whole instance; -1 for no limit. @defaultValue -1 */
  maxConcurrentRuns?: number;
  /** @defaultValue [] */
  tagConcurrencyLimits?: readonly TagConcurrencyLimit[];
  /**
   * Runs claimed per storage transaction, and launched together before the next claim: a claim is
   * only made for runs about to be launched, so none waits long in STARTING. @defaultValue 16
   */
  claimBatchSize?: number;
}

/**
 * Moves `QUEUED` runs to a launcher, oldest first, within the global and per-tag concurrency limits
 * of `vigil.yaml`. Each claim is one storage operation (`storage.claimQueuedRuns`) that counts the
 * runs in flight and claims within the limits in one transaction, serialized with every other
 * claimer: any number of coordinators, in any number of daemons, never exceed a limit or launch a
 * run twice. A launch that rejects leaves the run `FAILURE` with the launcher's error.
 *
 * @example
 * const coordinator = new RunCoordinator({ storage, launcher, claimedBy: daemonId, maxConcurrentRuns: 10 });
 * const launched = await coordinator.dequeue(); // whenever runs are queued or end
 * @see docs/runs.md
 */
export class RunCoordinator {
  readonly #storage: Storage;
  readonly #launcher: LaunchTarget;
  readonly #claimedBy: string;
  readonly #limits: { maxConcurrentRuns: number; tagConcurrencyLimits: readonly TagConcurrencyLimit[] };
  readonly #batch: number;

  constructor(options: RunCoordinatorOptions) {
    this.#storage = options.storage;
    this.#launcher = options.launcher;
    this.#claimedBy = options.claimedBy;
    this.#limits = { maxConcurrentRuns: options.maxConcurrentRuns ?? -1, tagConcurrencyLimits: options.tagConcurrencyLimits ?? [] };
    this.#batch = Math.max(1, options.claimBatchSize ?? 16);
  }

  /**
   * Claims what fits and launches it, batch after batch, until a claim comes back short. Resolves,
   * once every launch has started or failed, with the runs this call claimed (a run whose launch
   * failed is `FAILURE` by then).
   */
  async dequeue(): Promise<Run[]> {
    const claimed: Run[] = [];
    for (;;) {
      const queue = this.#launcher.queue;
      const batch = await this.#storage.claimQueuedRuns({ claimedBy: this.#claimedBy, limit: this.#batch, ...this.#limits, ...(queue === undefined ? {} : { queue }) });
      claimed.push(...batch);
      await Promise.all(batch.map((run) => this.#launch(run)));
      if (batch.length < this.#batch) return claimed;
    }
  }

  async #launch(run: Run): Promise<void> {
    try {
      await this.#launcher.launch(run);
    } catch (error) {
      const message = `Launching run "${run.runId}" of job "${run.jobName}" with the ${this.#launcher.kind} launcher failed: ${toError(error).message}`;
      await markRunFailed(this.#storage, run, message, error).catch(() => undefined);
    }
  }
}
