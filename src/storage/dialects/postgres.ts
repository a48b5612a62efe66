import { CompiledQuery, Kysely, PostgresDialect, sql, type SqlBool } from "kysely";
import pg from "pg";
import { ErrorCode, InvalidArgumentError, StorageError, toError } from "../../errors/index.js";
import type { DialectCapabilities } from "../dialect-capabilities.js";
import { migrate } from "../migrations/migrate.js";
import type { Database } from "../schema.js";
import { SqlStorage } from "../sql-storage.js";
import { queueSchemaFor } from "../queue-schema.js";
import { listenForEvents, notifyEventsStored } from "./postgres-notify.js";

/** Options of `openPostgresStorage`. */
export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /**
   * The schema holding Vigil's tables; created if missing.
   * @defaultValue "public"
   */
  schema?: string;
  /**
   * Most connections the pool opens.
   * @defaultValue 10
   */
  poolSize?: number;
  /**
   * Install (and migrate) graphile-worker's schema for the work queue, under the same migration
   * lock as Vigil's tables, and enqueue claimed runs in it (`runLauncher: queue`). @defaultValue false
   */
  queue?: boolean;
}

/** Advisory lock keys (arbitrary constants, "vigil" + purpose) so no other app's lock collides. */
const EVENT_APPEND_LOCK = 0x7669_6701;
const MIGRATION_LOCK = 0x7669_6702;
/** How long a statement waits for a lock before failing (a stuck writer must not stall every other). */
const LOCK_TIMEOUT_MS = 30_000;
/** How long a transaction may sit idle (its client stalled or gone) before the server ends it. */
const IDLE_IN_TRANSACTION_MS = 60_000;
/** First key of the two-key advisory locks scoped to one schema (the second is the schema's hash). */
const PURPOSE_LOCKS = { leases: 0x7669_6703, "run-queue": 0x7669_6704 } as const;

const INT8_OID = 20;
const parseInt8 = (value: string): number => Number(value);
/** Per-pool type parsers: bigint (int8) columns and counts come back as numbers, not strings. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/** Network error codes meaning the server cannot be reached, with their plain-language reason. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  "57P01": "the server is shutting down",
  "57P03": "the server is starting up",
};

function describePgError(error: unknown): { reason: string; unreachable: boolean } {
  const e = toError(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code in UNREACHABLE) return { reason: UNREACHABLE[code] ?? code, unreachable: true };
  if (/timeout|terminated|Connection terminated/i.test(e.message) && !/statement timeout/i.test(e.message)) {
    return { reason: e.message, unreachable: true };
  }
  return { reason: e.message, unreachable: false };
}

/** "host:port" of a URL for messages; never the password. */
function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "localhost"}:${u.port || "5432"}`;
  } catch {
    return "the configured server";
  }
}

/** Enqueueing and removing work-queue jobs in graphile-worker's SQL API (`add_job`, `remove_job`). */
function queueCapabilities(queueSchema: string): Pick<DialectCapabilities, "addQueueJobs" | "removeQueueJobs"> {
  const fn = (name: string) => sql.raw(`${quoteIdent(queueSchema)}.${name}`);
  return {
    addQueueJobs: async (trx, jobs) => {
      if (jobs.length === 0) return;
      await sql`select ${fn("add_job")}(identifier => j.task, payload => json_build_object('runId', j.run_id), job_key => j.run_id, max_attempts => 1)
        from unnest(${jobs.map((j) => j.runId)}::text[], ${jobs.map((j) => j.task)}::text[]) as j(run_id, task)`.execute(trx);
    },
    removeQueueJobs: async (db, runIds) => {
      if (runIds.length === 0) return;
      await sql`select ${fn("remove_job")}(k) from unnest(${[...runIds]}::text[]) as k`.execute(db);
    },
  };
}

function capabilities(pool: pg.Pool, schema: string, clientConfig: pg.ClientConfig, queue: boolean): DialectCapabilities {
  return {
    name: "postgres",
    ddl: {
      autoIncrementType: "bigint",
      autoIncrement: (c) => c.primaryKey().generatedByDefaultAsIdentity(),
      bigintType: "bigint",
    },
    supportsRowLocks: true,
    supportsManyDaemons: true,
    supportsSkipLocked: true,
    maxParameters: 65_535,
    // node-postgres sends a JS array as one text[] parameter.
    inStrings: (column, values) => sql<SqlBool>`${sql.ref(column)} = any(${[...values]}::text[])`,
    schema,
    // Identity values are taken at insert but become visible at commit; holding one lock from
    // before the insert until commit makes both orders agree.
    // Keyed by the schema too: instances in other schemas of the same database never wait on it.
    serializeEventAppends: async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(EVENT_APPEND_LOCK)}, hashtext(${schema}))`.execute(trx);
    },
    lockFor: async (trx, purpose) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(PURPOSE_LOCKS[purpose])}, hashtext(${schema}))`.execute(trx);
    },
    now: async (db) => {
      const { rows } = await sql<{ now: number }>`select (extract(epoch from clock_timestamp()) * 1000)::bigint as now`.execute(db);
      return Number(rows[0]?.now ?? Date.now());
    },
    // A session lock on a connection of its own, held around the whole migration (schema creation
    // and Kysely's bookkeeping tables included), so concurrent openers migrate exactly once. Not
    // one of the pool's: the migration runs on those, and a pool of one would wait on itself.
    withMigrationLock: async (_db, fn) => {
      const client = new pg.Client(clientConfig);
      client.on("error", () => undefined);
      await client.connect();
      try {
        await client.query(`select pg_advisory_lock(${MIGRATION_LOCK}, hashtext($1))`, [schema]);
        try {
          await client.query(`create schema if not exists ${quoteIdent(schema)}`);
          return await fn();
        } finally {
          await client.query(`select pg_advisory_unlock(${MIGRATION_LOCK}, hashtext($1))`, [schema]);
        }
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    ...(queue ? queueCapabilities(queueSchemaFor(schema)) : {}),
    notifyEventsStored: (trx, notice) => notifyEventsStored(trx, schema, notice),
    listenForEvents: (callback) => listenForEvents(clientConfig, schema, callback),
    explain: async (db, query) => {
      const rows = await db.executeQuery<{ "QUERY PLAN": string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
      return rows.rows.map((r) => r["QUERY PLAN"]).join("\n");
    },
    describeError: describePgError,
  };
}

/**
 * A connection that dies (the server restarts, the network drops) emits 'error' on the pool when
 * idle and on its client when checked out; without listeners either kills the process. The query
 * that was using it fails instead, as a `StorageError` its caller logs and retries.
 */
function tolerateConnectionErrors(pool: pg.Pool): void {
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Connects to PostgreSQL as Vigil storage (a connection pool) and migrates the schema; safe when
 * several processes open the same database at once. An unreachable server throws `StorageError`
 * with code `STORAGE_UNREACHABLE`.
 *
 * @example
 * await using storage = await openPostgresStorage({ url: process.env.DATABASE_URL! });
 */
export async function openPostgresStorage(options: PostgresStorageOptions): Promise<SqlStorage> {
  const schema = options.schema ?? "public";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new InvalidArgumentError(`PostgreSQL schema name ${JSON.stringify(schema)} is invalid; use letters, digits and underscores.`);
  }
  const server = serverOf(options.url);
  const clientConfig: pg.ClientConfig = {
    connectionString: options.url,
    connectionTimeoutMillis: 10_000,
    types,
    // Every connection resolves Vigil's unqualified table names in its schema. A lock wait or a
    // transaction left open by a stalled client ends with an error (which callers log and retry)
    // instead of holding every writer of the event log behind it.
    options: `-c search_path=${schema} -c lock_timeout=${LOCK_TIMEOUT_MS} -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`,
    // A dead server or network path is noticed by the kernel, not after hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? 10 });
  // An idle connection that dies emits 'error' on the pool; without a listener that kills the
  // process. The next query on the pool reports the problem instead.
  tolerateConnectionErrors(pool);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const { reason, unreachable } = describePgError(error);
    if (unreachable) {
      throw new StorageError(
        `Cannot reach PostgreSQL at ${server} (${reason}); check storage.postgres.url in vigil.yaml and that the server is running.`,
        { code: ErrorCode.STORAGE_UNREACHABLE },
      );
    }
    throw new StorageError(`Cannot connect to PostgreSQL at ${server} (${reason}); check storage.postgres.url in vigil.yaml.`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const caps = capabilities(pool, schema, clientConfig, options.queue === true);
  const result = await migrate(db, caps);
  if (result.error === null && options.queue === true) {
    const queueError = await migrateQueue(pool, caps, queueSchemaFor(schema));
    if (queueError !== null) Object.assign(result, { error: queueError, failed: "graphile-worker" });
  }
  if (result.error !== null) {
    await db.destroy();
    const { reason } = describePgError(result.error);
    throw new StorageError(
      `Cannot migrate the PostgreSQL database at ${server}${result.failed === null ? "" : ` (migration ${result.failed})`} (${reason}); check that the user may create tables in schema "${schema}".`,
      { cause: result.error },
    );
  }
  // Heartbeats and lease rounds get two connections of their own (opened on first use).
  const controlPool = new pg.Pool({ ...clientConfig, max: 2 });
  tolerateConnectionErrors(controlPool);
  return new SqlStorage(db, caps, new Kysely<Database>({ dialect: new PostgresDialect({ pool: controlPool }) }));
}

/**
 * Installs or migrates graphile-worker's schema (the work queue) under Vigil's migration lock, so
 * daemons and workers opening one database at once migrate it once. Loaded only when the queue is
 * used. Returns the error, or null.
 */
async function migrateQueue(pool: pg.Pool, caps: DialectCapabilities, queueSchema: string): Promise<Error | null> {
  try {
    const { runMigrations, Logger } = await import("graphile-worker");
    await caps.withMigrationLock(null as never, async () => {
      // Silent: Vigil reports what matters itself.
      await runMigrations({ pgPool: pool, schema: queueSchema, logger: new Logger(() => () => undefined) });
      return {};
    });
    return null;
  } catch (error) {
    return toError(error);
  }
}
