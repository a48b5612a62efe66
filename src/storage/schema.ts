import type { Generated } from "kysely";
import type { RunStatus, SensorStatus, SensorStatusSource, TickStatus } from "../model/index.js";

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
  /** Reserved for the scale-out lease (SPEC §3): the daemon that owns the sensor, and until when. */
  owner: string | null;
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
}

/** The whole schema, as Kysely sees it. */
export interface Database {
  runs: RunsTable;
  run_tags: RunTagsTable;
  run_keys: RunKeysTable;
  event_logs: EventLogsTable;
  sensor_states: SensorStatesTable;
  ticks: TicksTable;
}
