import { EventType, RunStatus, type Run } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { markRunCanceled, markRunFailed } from "../execution/mark-run-failed.js";

/** What a probe says about the worker of an in-flight run (`probeRunWorker` from `launchers/` fits). */
export type WorkerState = { state: "alive" } | { state: "unknown" } | { state: "unlaunched" } | { state: "dead"; message: string };

/** Options of `new RunMonitor(...)`. */
export interface RunMonitorOptions {
  storage: Storage;
  /** Tells whether the worker recorded on a run is alive. */
  probe: (run: Run) => WorkerState;
  /**
   * Tells whether the launcher a run was claimed for (its owner id, from the RUN_STARTING event) is
   * alive. A run claimed for a dead one and never launched is failed at once, without the grace.
   * @defaultValue every claimer is "unknown"
   */
  probeClaimer?: (ownerId: string) => "alive" | "dead" | "unknown";
  /**
   * A run left `STARTING` with no worker recorded for this long was claimed by a coordinator that
   * stopped before launching it. @defaultValue 60_000
   */
  unlaunchedGraceMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
  /**
   * Asks the live worker of a `CANCELING` run to stop (`terminateRunWorker` from `launchers/` fits);
   * called on every check until the worker is gone. @defaultValue none: the worker is left alone
   */
  terminate?: (run: Run) => Promise<unknown>;
}

/**
 * Finds runs whose worker died and marks them `FAILURE`, with a RUN_FAILURE event saying so, so
 * that run failure sensors fire (exactly once: the status check in `storeEvents` lets only the
 * first failure through). Call `check()` on every daemon iteration and once at startup.
 *
 * It looks at runs `STARTING` or `STARTED`: a run whose recorded worker the probe finds dead, and a
 * run still `STARTING` with no worker recorded `unlaunchedGraceMs` after its RUN_STARTING event.
 * Runs started without a launcher (`executeInProcess`) record no worker and are left alone.
 *
 * It also finishes cancels: a `CANCELING` run whose worker is alive is handed to `terminate`; one
 * whose worker is gone, or that was never launched, becomes `CANCELED` (not `FAILURE`).
 *
 * @example
 * const monitor = new RunMonitor({ storage, probe: probeRunWorker });
 * const failed = await monitor.check();
 * @see docs/runs.md
 */
export class RunMonitor {
  readonly #storage: Storage;
  readonly #probe: (run: Run) => WorkerState;
  readonly #probeClaimer: (ownerId: string) => "alive" | "dead" | "unknown";
  readonly #graceMs: number;
  readonly #now: () => number;
  readonly #terminate: ((run: Run) => Promise<unknown>) | undefined;

  constructor(options: RunMonitorOptions) {
    this.#storage = options.storage;
    this.#probe = options.probe;
    this.#probeClaimer = options.probeClaimer ?? (() => "unknown");
    this.#graceMs = options.unlaunchedGraceMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#terminate = options.terminate;
  }

  /**
   * Marks the runs whose worker is gone as `FAILURE` (`CANCELED` if they were being canceled) and
   * asks the workers of `CANCELING` runs to stop; resolves with the runs it failed.
   */
  async check(): Promise<Run[]> {
    const runs = await this.#storage.getRuns({ statuses: [RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING] });
    const failed: Run[] = [];
    const unlaunched: Run[] = [];
    for (const run of runs) {
      const worker = this.#probe(run);
      if (run.status === RunStatus.CANCELING) {
        await this.#finishCancel(run, worker);
        continue;
      }
      if (worker.state === "dead") {
        if (await markRunFailed(this.#storage, run, worker.message)) failed.push(run);
      } else if (worker.state === "unlaunched" && run.status === RunStatus.STARTING) {
        unlaunched.push(run);
      }
    }
    for (const { run, deadClaimer } of await this.#staleClaims(unlaunched)) {
      const message =
        deadClaimer === null
          ? `Run "${run.runId}" of job "${run.jobName}" was claimed for launch but no launcher started it within ${Math.round(this.#graceMs / 1000)} s (the daemon that claimed it may have stopped); the run is marked failed.`
          : `Run "${run.runId}" of job "${run.jobName}" was claimed for launch by ${deadClaimer}, which stopped before starting it; the run is marked failed.`;
      if (await markRunFailed(this.#storage, run, message)) failed.push(run);
    }
    return failed;
  }

  /** A CANCELING run: stop its live worker, or end it CANCELED if it has none (any more). */
  async #finishCancel(run: Run, worker: WorkerState): Promise<void> {
    if (worker.state === "alive") {
      await this.#terminate?.(run);
    } else if (worker.state === "dead") {
      await markRunCanceled(this.#storage, run, `Run "${run.runId}" of job "${run.jobName}" was canceled; its worker is gone (${worker.message})`);
    } else if (worker.state === "unlaunched" && run.startedAt === null) {
      // Claimed but not started: a launcher that starts it later finds it CANCELED and leaves it.
      await markRunCanceled(this.#storage, run, `Run "${run.runId}" of job "${run.jobName}" was canceled before a worker started it.`);
    }
  }

  /** The runs whose newest RUN_STARTING event is older than the grace period, or whose claimer is dead. */
  async #staleClaims(runs: readonly Run[]): Promise<{ run: Run; deadClaimer: string | null }[]> {
    if (runs.length === 0) return [];
    const records = await this.#storage.getEventRecords({ eventType: EventType.RUN_STARTING, runIds: runs.map((r) => r.runId) });
    const claims = new Map<string, { at: number; by: string | undefined }>();
    for (const { entry } of records) {
      const previous = claims.get(entry.runId);
      if (previous === undefined || entry.timestamp >= previous.at) claims.set(entry.runId, { at: entry.timestamp, by: entry.event?.claimedBy });
    }
    const cutoff = this.#now() - this.#graceMs;
    return runs.flatMap((run): { run: Run; deadClaimer: string | null }[] => {
      const claim = claims.get(run.runId);
      const by = claim?.by;
      if (by !== undefined && this.#probeClaimer(by) === "dead") return [{ run, deadClaimer: by }];
      return (claim?.at ?? 0) < cutoff ? [{ run, deadClaimer: null }] : [];
    });
  }
}
