import type { RunStatus } from "./run-status.js";

/** Run config as stored: `{ ops: { [opName]: { config } }, resources: { [key]: { config } } }`. */
export type RunConfigValue = Record<string, unknown>;

/** A job run. Times are ms since epoch. */
export interface Run {
  runId: string;
  jobName: string;
  status: RunStatus;
  tags: Record<string, string>;
  runConfig: RunConfigValue;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

/** The tags Vigil writes on runs it launches. */
export const RunTag = {
  SENSOR_NAME: "vigil/sensor_name",
  RUN_KEY: "vigil/run_key",
  TICK_ID: "vigil/tick_id",
} as const;

/** What `instance.getRuns` accepts; every given filter must hold. Newest first. */
export interface RunsQuery {
  jobName?: string;
  statuses?: readonly RunStatus[];
  /** Every tag must match exactly. */
  tags?: Record<string, string>;
  /** Only these runs (any number; fetched in one query). */
  runIds?: readonly string[];
  limit?: number;
  /** A run id: only runs created before it (the next page). */
  cursor?: string;
}

/**
 * The tags recorded on a run about where it executes (by its launcher, or by the process that
 * executes it), so people can see where it ran and a monitor on the same host can probe it.
 * Liveness itself is judged from the run's heartbeats, never from these alone.
 */
export const WorkerTag = {
  /** The launcher (one per daemon or instance) that started the run: `<host>/<pid>/<random>`. */
  LAUNCHER_OWNER: "vigil/launcher_owner",
  /** `in-process` or `subprocess`. */
  LAUNCHER: "vigil/launcher",
  /** The host name of the process executing the run. */
  WORKER_HOST: "vigil/worker_host",
  /** The pid of the process executing the run, as that process sees it (inside a container: its own namespace's). */
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
