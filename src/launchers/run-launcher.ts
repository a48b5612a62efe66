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

/**
 * The tags a launcher writes on a run it starts, so any monitor can tell later whether the run's
 * worker is still alive. See `probeRunWorker`.
 */
export const WorkerTag = {
  /** The launcher (one per daemon or instance) that started the run: `<host>/<pid>/<random>`. */
  LAUNCHER_OWNER: "vigil/launcher_owner",
  /** `in-process` or `subprocess`. */
  LAUNCHER: "vigil/launcher",
  /** The host name of the process executing the run. */
  WORKER_HOST: "vigil/worker_host",
  /** The pid of the process executing the run (the daemon's own for `in-process`). */
  WORKER_PID: "vigil/worker_pid",
  /**
   * The registered process id of the process executing the run (`<host>/<pid>/<random>`); a
   * subprocess worker also carries its last part on its command line (`--worker-id=<random>`), so a
   * probe can tell the worker from a process that reused its pid.
   */
  WORKER_ID: "vigil/worker_id",
  /** The file the worker's stdout and stderr go to (`subprocess`). */
  WORKER_LOG: "vigil/worker_log",
} as const;
