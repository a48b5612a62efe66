import type { Run } from "../model/index.js";

/** Which launcher `vigil.yaml` selects (`runLauncher`). */
export type RunLauncherKind = "in-process" | "subprocess" | "queue";

/**
 * Starts the execution of runs the coordinator has claimed (moved to `STARTING`). Implementations:
 * `InProcessLauncher` (this process; tests and ephemeral instances) and `SubprocessLauncher` (one
 * worker process per run, the default). A later `queue` launcher hands runs to graphile-worker.
 *
 * @see docs/runs.md
 */
export interface RunLauncher {
  readonly kind: RunLauncherKind;
  /** Identifies the launcher on the runs it claims and starts (`<host>/<pid>/<random>`), when it has one. */
  readonly ownerId?: string;
  /**
   * Set by the queue launcher: claims enqueue their runs in the work queue in the claim's own
   * transaction (see `RunClaim.queue`), and `launch` has nothing left to do.
   */
  readonly queue?: { defaultTask: string; tasks: Readonly<Record<string, string>> };
  /**
   * Starts `run` (a stored run in `STARTING`) and resolves once it has started, not when it ends.
   * Rejects when it could not start it; the caller (the coordinator) then marks the run `FAILURE`.
   */
  launch(run: Run): Promise<void>;
  /**
   * Asks the execution of a run this launcher started to stop (a cancel): the run ends `CANCELED`.
   * Resolves with false when this launcher is not executing the run. Optional: a launcher without
   * it leaves canceling to the `RunMonitor` (see `terminateRunWorker`).
   */
  terminate?(runId: string): Promise<boolean>;
  /** Stops launching; resolves when in-flight runs finished or were abandoned. Safe to call twice. */
  close(): Promise<void>;
}

export { WorkerTag } from "../model/index.js";
