import { EventType, RunStatus, type Run } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { markRunFailed } from "./mark-run-failed.js";

/** What a probe says about the worker of an in-flight run (`probeRunWorker` from `launchers/` fits). */
export type WorkerState = { state: "alive" } | { state: "unknown" } | { state: "unlaunched" } | { state: "dead"; message: string };

/** Options of `new RunMonitor(...)`. */
export interface RunMonitorOptions {
  storage: Storage;
  /** Tells whether the worker recorded on a run is alive. */
  probe: (run: Run) => WorkerState;
  /**
   * A run left `STARTING` with no worker recorded for this long was claimed by a coordinator that
   * stopped before launching it. @defaultValue 60_000
   */
  unlaunchedGraceMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
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
 * @example
 * const monitor = new RunMonitor({ storage, probe: probeRunWorker });
 * const failed = await monitor.check();
 * @see docs/runs.md
 */
export class RunMonitor {
  readonly #storage: Storage;
  readonly #probe: (run: Run) => WorkerState;
  readonly #graceMs: number;
  readonly #now: () => number;

  constructor(options: RunMonitorOptions) {
    this.#storage = options.storage;
    this.#probe = options.probe;
    this.#graceMs = options.unlaunchedGraceMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Marks the runs whose worker is gone as `FAILURE`; resolves with the runs it failed. */
  async check(): Promise<Run[]> {
    const runs = await this.#storage.getRuns({ statuses: [RunStatus.STARTING, RunStatus.STARTED] });
    const failed: Run[] = [];
    const unlaunched: Run[] = [];
    for (const run of runs) {
      const worker = this.#probe(run);
      if (worker.state === "dead") {
        if (await markRunFailed(this.#storage, run, worker.message)) failed.push(run);
      } else if (worker.state === "unlaunched" && run.status === RunStatus.STARTING) {
        unlaunched.push(run);
      }
    }
    for (const run of await this.#staleClaims(unlaunched)) {
      const message = `Run "${run.runId}" of job "${run.jobName}" was claimed for launch but no launcher started it within ${Math.round(this.#graceMs / 1000)} s (the daemon that claimed it may have stopped); the run is marked failed.`;
      if (await markRunFailed(this.#storage, run, message)) failed.push(run);
    }
    return failed;
  }

  /** The runs whose newest RUN_STARTING event is older than the grace period. */
  async #staleClaims(runs: readonly Run[]): Promise<Run[]> {
    if (runs.length === 0) return [];
    const records = await this.#storage.getEventRecords({ eventType: EventType.RUN_STARTING, runIds: runs.map((r) => r.runId) });
    const claimedAt = new Map<string, number>();
    for (const { entry } of records) claimedAt.set(entry.runId, Math.max(claimedAt.get(entry.runId) ?? 0, entry.timestamp));
    const cutoff = this.#now() - this.#graceMs;
    return runs.filter((run) => (claimedAt.get(run.runId) ?? 0) < cutoff);
  }
}
