import type { ColumnDataType, ColumnDefinitionBuilder, CompiledQuery, Kysely, RawBuilder, SqlBool, Transaction } from "kysely";
import type { Database } from "./schema.js";
import type { QueueJob } from "./queue-schema.js";
import type { EventsStoredNotice } from "./storage.js";

/**
 * Everything that differs between SQLite and PostgreSQL, in one small adapter (the way Kysely's
 * `DialectAdapter` works). Migrations and queries ask these flags and hooks; they never test the
 * dialect's name.
 */
export interface DialectCapabilities {
  readonly name: "sqlite" | "postgres";
  readonly ddl: DdlCapabilities;
  /** `SELECT … FOR UPDATE` exists (PostgreSQL). SQLite's write transactions are already exclusive. */
  readonly supportsRowLocks: boolean;
  /**
   * Several daemons may serve one database at once (PostgreSQL). SQLite is one file on one host:
   * one daemon serves it, a second is refused (or waits as a standby).
   */
  readonly supportsManyDaemons: boolean;
  /** `FOR UPDATE SKIP LOCKED` exists, for queue-like claims. */
  readonly supportsSkipLocked: boolean;
  /** How many bind parameters one statement may carry; multi-row inserts are chunked below it. */
  readonly maxParameters: number;
  /**
   * The condition "`column` is one of `values`" with every value in ONE bind parameter (SQLite
   * `IN (SELECT value FROM json_each(?))`, PostgreSQL `= any(?::text[])`): a tick's 100,000 run
   * keys are then looked up in one statement instead of a hundred IN-list chunks.
   */
  inStrings(column: string, values: readonly string[]): RawBuilder<SqlBool>;
  /** The schema holding Vigil's tables (and its migration tables), when the dialect has schemas. */
  readonly schema: string | undefined;
  /**
   * Called first in every transaction that appends to the event log, so that storage ids become
   * visible in commit order: no reader ever sees id N+1 while id N is still uncommitted.
   */
  serializeEventAppends(trx: Transaction<Database>): Promise<void>;
  /**
   * Called first in a transaction that must not run beside another of the same `purpose` on this
   * database (PostgreSQL: a transaction-scoped advisory lock keyed by the schema; SQLite: nothing,
   * its write transactions are already exclusive). `"leases"`: lease rounds; `"run-queue"`: run claims.
   */
  lockFor(trx: Transaction<Database>, purpose: "leases" | "run-queue"): Promise<void>;
  /**
   * The database server's clock, ms since epoch. Liveness (heartbeats, lease expiry) is judged on
   * this one clock, so processes on hosts whose clocks disagree still agree on who is alive.
   * SQLite is on this host: its clock is this process's.
   */
  now(db: Kysely<Database> | Transaction<Database>): Promise<number>;
  /**
   * Runs `fn` (a migration run, which reports failure in its result rather than throwing) while
   * holding a lock that keeps other processes from migrating the same database at the same time.
   */
  withMigrationLock<T extends { error?: unknown }>(db: Kysely<Database>, fn: () => Promise<T>): Promise<T>;
  /**
   * Tells other connections, at the commit of `trx`, that events were stored (PostgreSQL
   * `pg_notify`). Absent when the dialect has no notifications: listeners poll instead.
   */
  notifyEventsStored?(trx: Transaction<Database>, notice: EventsStoredNotice): Promise<void>;
  /** Listens for those notifications on a dedicated connection that reconnects; returns the stop function. */
  listenForEvents?(callback: (notice: EventsStoredNotice) => void): () => void;
  /**
   * Adds graphile-worker jobs for claimed runs inside the claim's transaction (job key = run id,
   * one attempt: Vigil, not the queue, decides about retries). Present only on PostgreSQL storage
   * opened with the work queue (`runLauncher: queue`).
   */
  addQueueJobs?(trx: Transaction<Database>, jobs: readonly QueueJob[]): Promise<void>;
  /** Removes the queue jobs of runs that ended without their worker (a job left locked by a dead worker never runs again). */
  removeQueueJobs?(db: Kysely<Database>, runIds: readonly string[]): Promise<void>;
  /** The query plan of a compiled query, as text (for tests and benchmarks). */
  explain(db: Kysely<Database>, query: CompiledQuery): Promise<string>;
  /** A short, password-free reason for a driver error, and whether the server is unreachable. */
  describeError(error: unknown): { reason: string; unreachable: boolean };
}

/** The DDL pieces migrations need that the dialects spell differently. */
export interface DdlCapabilities {
  /** Type of an auto-incrementing primary key column. */
  readonly autoIncrementType: ColumnDataType;
  /** Adds the modifiers that make a column of `autoIncrementType` an auto-incrementing primary key. */
  autoIncrement(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** A 64-bit integer (ms timestamps). */
  readonly bigintType: ColumnDataType;
}
