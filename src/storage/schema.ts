import type { Generated } from "kysely";
import type { LeaseKind, ProcessKind, RunStatus, SensorStatus, SensorStatusSource, TickStatus } from "../model/index.js";

/**
 * Kysely row types of every Vigil table (snake_case columns). Times are ms since epoch stored as
 * 64-bit integers; bodies are JSON text. The same shapes back SQLite and PostgreSQL.
 */

/**
 * One row per run. `id` orders runs newest-first and pages them; `run_id` is the public, unique
 * identifier. (`id` is the primary key because SQLite only auto-increments an INTEGER PRIMARY KEY.)
 */
export interface RunsTable {
  id: Generated<number>;
  run_id: string;
  job_name: string;
  status: RunStatus;
  /** JSON text of the run config. */
  run_config: string;
  /** JSON text of the tags record (also exploded into `run_tags` for filtering). */
  tags: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  updated_at: number;
  /** The process id of the daemon (or other claimer) that moved the run QUEUED → STARTING. */
  claimed_by: string | null;
  /** When it was claimed (database clock): a run not started `startTimeoutSeconds` later is failed. */
  claimed_at: number | null;
  /** The process executing the run (a `processes` id), written before the run is handed to it. */
  worker_id: string | null;
  /** The newest heartbeat of the run's execution (database clock). */
  heartbeat_at: number | null;
  /** The work-queue task the claim enqueued the run as (queue launcher): it waits for a worker there. */
  queue_task: string | null;
}

/** What a run printed (stdout, stderr), in order, wherever it executed. */
export interface RunLogsTable {
  id: Generated<number>;
  run_id: string;
  stream: "stdout" | "stderr";
  timestamp: number;
  text: string;
}

/** A run's tags, one row per key, for `getRuns({ tags })`. Primary key (run_id, key). */
export interface RunTagsTable {
  run_id: string;
  key: string;
  value: string;
}

/**
 * Reservation of a run key by a sensor: the primary key (sensor_name, run_key) makes "at most one
 * run per (sensor, run key)" a database guarantee, even across daemons and crashes.
 */
export interface RunKeysTable {
  sensor_name: string;
  run_key: string;
  run_id: string;
  created_at: number;
}

/** The event log. `id` is the storage id: strictly increasing in commit order. */
export interface EventLogsTable {
  id: Generated<number>;
  run_id: string;
  job_name: string;
  event_type: string | null;
  /** String form `"a/b"` of the event's asset key, for asset events. */
  asset_key: string | null;
  step_key: string | null;
  level: string;
  timestamp: number;
  /** JSON text of the whole `EventLogEntry`. */
  body: string;
}

/** What the daemon keeps about a sensor between ticks. */
export interface SensorStatesTable {
  name: string;
  status: SensorStatus;
  status_source: SensorStatusSource;
  cursor: string | null;
  last_tick_timestamp: number | null;
  last_tick_start_timestamp: number | null;
  last_run_key: string | null;
  last_sensor_start_timestamp: number | null;
  updated_at: number;
  /** Unused: leases live in the `leases` table (kept because migrations are append-only). */
  owner: string | null;
  /** Unused, as `owner`. */
  lease_expires_at: number | null;
}

/** One evaluation of a sensor. `body` holds the lists, reason, error and cursors as JSON text. */
export interface TicksTable {
  id: Generated<number>;
  sensor_name: string;
  status: TickStatus;
  timestamp: number;
  end_timestamp: number | null;
  body: string;
  /** The daemon that started the tick, and the fencing token of its lease then (null: started without a lease). */
  owner: string | null;
  lease_token: number | null;
}

/** The JSON stored in `ticks.body`. */
export interface TickBody {
  runIds: string[];
  runKeys: string[];
  dedupedRunKeys: string[];
  skipReason: string | null;
  error: { message: string; stack: string } | null;
  cursorBefore: string | null;
  cursor: string | null;
  /** Only when a list was capped at `TICK_LIST_CAP`: the full counts. */
  totals?: { runIds: number; runKeys: number; dedupedRunKeys: number };
}

/** A registered process (daemon, run worker, CLI) and its heartbeat; times on the database clock. */
export interface ProcessesTable {
  id: string;
  kind: ProcessKind;
  host: string;
  pid: number;
  pid_namespace: string | null;
  started_at: number;
  heartbeat_at: number;
  expires_at: number;
  /** JSON text of what the process says about itself. */
  info: string;
}

/** One lease per leased thing (a sensor, or a singleton like run monitoring). Primary key (kind, name). */
export interface LeasesTable {
  kind: LeaseKind;
  name: string;
  owner: string | null;
  /** Fencing token: +1 on every change of owner; never reset. */
  token: number;
  acquired_at: number | null;
  expires_at: number | null;
}

/** The whole schema, as Kysely sees it. */
export interface Database {
  runs: RunsTable;
  run_tags: RunTagsTable;
  run_keys: RunKeysTable;
  event_logs: EventLogsTable;
  sensor_states: SensorStatesTable;
  ticks: TicksTable;
  processes: ProcessesTable;
  run_logs: RunLogsTable;
  leases: LeasesTable;
}
