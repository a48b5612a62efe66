/**
 * Who is doing what, as storage records it: registered processes (daemons, run workers, CLIs)
 * with their heartbeats, and the leases that give one daemon a sensor at a time. Liveness is
 * judged from these records, never from a process id or a host name alone.
 */

/** What a registered process is. */
export const ProcessKind = {
  /** `vigil daemon` / `vigil dev` / a `Daemon` object: owns leased sensors and claims runs. */
  DAEMON: "daemon",
  /** A process executing runs for a launcher (subprocess run worker) or taking them from a queue. */
  WORKER: "worker",
  /** Any other process executing a run: `vigil job execute`, `executeInProcess`. */
  RUNNER: "runner",
} as const;
export type ProcessKind = (typeof ProcessKind)[keyof typeof ProcessKind];

/** A process as it registered itself, with its latest heartbeat. Times are ms since epoch, database clock. */
export interface ProcessRecord {
  /** `<host>/<pid>/<random>`. */
  id: string;
  kind: ProcessKind;
  host: string;
  pid: number;
  /**
   * The process's PID namespace (Linux `/proc/self/ns/pid`, e.g. `pid:[4026531836]`), or null where
   * there is none. A pid is only comparable between processes of one host and one namespace.
   */
  pidNamespace: string | null;
  startedAt: number;
  heartbeatAt: number;
  /** When the process counts as gone unless it heartbeats again. */
  expiresAt: number;
  /** What the process says about itself (definitions file, version, concurrency…). */
  info: Record<string, unknown>;
}

/** What a process writes to register or heartbeat. */
export type ProcessRegistration = Pick<ProcessRecord, "id" | "kind" | "host" | "pid" | "pidNamespace" | "info">;

/** What can be leased: a sensor (or schedule) by name, or a singleton job of the deployment such as run monitoring. */
export const LeaseKind = { SENSOR: "sensor", SINGLETON: "singleton" } as const;
export type LeaseKind = (typeof LeaseKind)[keyof typeof LeaseKind];

/** A lease as stored. */
export interface LeaseRecord {
  kind: LeaseKind;
  name: string;
  /** The owning daemon's process id; null when released. */
  owner: string | null;
  /** The fencing token: grows by one every time the lease changes hands. */
  token: number;
  acquiredAt: number | null;
  /** ms since epoch (database clock); the lease lapses then unless renewed. */
  expiresAt: number | null;
}

/** What a daemon holds: enough to prove ownership to storage (`owner` + `token`). */
export interface LeaseGrant {
  kind: LeaseKind;
  name: string;
  owner: string;
  token: number;
  expiresAt: number;
}

/** The singleton lease whose holder runs run monitoring (one daemon at a time). */
export const RUN_MONITOR_LEASE = "run-monitor";

/** One concurrency limit holding a queued run back. */
export interface RunQueueBlocker {
  /** The tag key; `"maxConcurrentRuns"` for the global limit. */
  key: string;
  /** The tag value the limit counts, when it counts one value. */
  value?: string;
  limit: number;
  /** Runs STARTING, STARTED or CANCELING that count against it now. */
  inFlight: number;
}

/** Why a `QUEUED` run waits: `instance.getRunQueueInfo(runId)`. */
export interface RunQueueInfo {
  /** 1 for the oldest queued run; the run is claimed in this order where limits allow. */
  position: number;
  /** The limits that are full for this run; empty when it only waits its turn (or for a daemon). */
  blockedBy: RunQueueBlocker[];
}

/** A live daemon, as `vigil status` and the Deployment page show it. */
export interface DaemonStatus {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  /** ms since its last heartbeat (database clock). */
  heartbeatAgeMs: number;
  /** The sensors it holds leases for, by name. */
  sensors: string[];
  /** The singleton duties it holds (e.g. `run-monitor`). */
  duties: string[];
}

/** A live process executing runs (a run worker, `vigil job execute`, a process running runs in-process). */
export interface WorkerStatus {
  id: string;
  kind: ProcessKind;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAgeMs: number;
  /** Runs STARTING, STARTED or CANCELING recorded on it. */
  runsInFlight: number;
  info: Record<string, unknown>;
}

/** Who serves an instance right now: `instance.getDeploymentStatus()`, `vigil status`, the Deployment page. */
export interface DeploymentStatus {
  /** The database clock. */
  now: number;
  daemons: DaemonStatus[];
  workers: WorkerStatus[];
  runs: { queued: number; inFlight: number };
}
