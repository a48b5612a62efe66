import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
  type SqlBool,
} from "kysely";
import { StorageError, toError } from "../../errors/index.js";
import type { DialectCapabilities } from "../dialect-capabilities.js";
import { migrate } from "../migrations/migrate.js";
import type { Database } from "../schema.js";
import { SqlStorage } from "../sql-storage.js";

/** Options of `openSqliteStorage`. */
export interface SqliteStorageOptions {
  /** The database file; its folder is created if missing. */
  path: string;
  /**
   * How long a writer waits for another process's write transaction before failing.
   * @defaultValue 10_000
   */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` setting. `FULL` (the default) syncs the write-ahead log at every commit,
   * so a committed tick survives a power cut — with `NORMAL` the last commits may roll back after
   * one, and runs already launched for them would be launched again. `NORMAL` writes faster.
   * @defaultValue "FULL"
   */
  synchronous?: SqliteSynchronous;
}

/** The durability settings Vigil accepts for SQLite (`storage.sqlite.synchronous` in vigil.yaml). */
export type SqliteSynchronous = "FULL" | "NORMAL";

/**
 * A FIFO async mutex. better-sqlite3 waits for a busy database by blocking the thread, so two
 * connections to one file in the same thread would deadlock (the waiting one blocks the holder
 * from ever committing). Write transactions on one file therefore queue here first, per process;
 * other processes and threads are handled by SQLite's own lock and busy timeout.
 */
class FileWriteLock {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => released);
    return acquired;
  }
}

const fileWriteLocks = new Map<string, FileWriteLock>();

function writeLockFor(path: string): FileWriteLock {
  let lock = fileWriteLocks.get(path);
  if (lock === undefined) fileWriteLocks.set(path, (lock = new FileWriteLock()));
  return lock;
}

/**
 * Kysely's SQLite driver begins transactions with a deferred `BEGIN`, which can fail with
 * SQLITE_BUSY when a read upgrades to a write while another process writes (busy_timeout does not
 * help there). `BEGIN IMMEDIATE` takes the write lock up front and waits for it instead; it also
 * makes commit order equal id order, since only one write transaction runs at a time.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #lock: FileWriteLock;
  #release: (() => void) | undefined;

  constructor(config: SqliteDialectConfig, lock: FileWriteLock) {
    super(config);
    this.#lock = lock;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const release = await this.#lock.acquire();
    try {
      await connection.executeQuery(CompiledQuery.raw("begin immediate"));
      this.#release = release;
    } catch (error) {
      release();
      throw error;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw("commit"));
    } finally {
      this.#releaseLock();
    }
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw("rollback"));
    } finally {
      this.#releaseLock();
    }
  }

  #releaseLock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #lock: FileWriteLock;
  constructor(config: SqliteDialectConfig, lock: FileWriteLock) {
    super(config);
    this.#config = config;
    this.#lock = lock;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#lock);
  }
}

/**
 * Kysely prepares every query anew; preparing costs more than running a small insert. Reusing
 * statements (better-sqlite3 statements are safe to reuse; Kysely never streams ours) roughly
 * doubles single-event write throughput. Least recently used statements are dropped past `size`.
 */
function withStatementCache(database: BetterSqlite3.Database, size = 200): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare: (text) => {
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        if (cache.size >= size) cache.delete(cache.keys().next().value ?? "");
      } else {
        cache.delete(text);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

/** SQLite's answers to the dialect questions, for one database file. */
function sqliteCapabilities(lock: FileWriteLock): DialectCapabilities {
  return {
    name: "sqlite",
    ddl: {
      autoIncrementType: "integer",
      // AUTOINCREMENT: ids are never reused, even after the newest rows are deleted (tick purges).
      autoIncrement: (c) => c.primaryKey().autoIncrement(),
      bigintType: "integer",
    },
    supportsRowLocks: false,
    supportsManyDaemons: false,
    supportsSkipLocked: false,
    maxParameters: 32_766,
    // json_each over one JSON text parameter; the planner probes the (sensor_name, run_key) index per value.
    inStrings: (column, values) => sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`,
    schema: undefined,
    // Every write transaction already holds SQLite's single write lock (BEGIN IMMEDIATE).
    serializeEventAppends: async () => undefined,
    lockFor: async () => undefined,
    now: async () => Date.now(),
    // Kysely's SQLite adapter neither locks nor uses transactions when migrating, so two processes
    // could both apply 0001. Wrap the whole run in one BEGIN IMMEDIATE transaction on the (single)
    // connection instead: the second process waits, then finds the migrations recorded. SQLite DDL
    // is transactional, so a failed run also leaves nothing half-applied.
    withMigrationLock: async (db, fn) => {
      const release = await lock.acquire();
      try {
        await sql`begin immediate`.execute(db);
        let ok = false;
        try {
          const result = await fn();
          ok = result.error === undefined;
          return result;
        } finally {
          await sql.raw(ok ? "commit" : "rollback").execute(db);
        }
      } finally {
        release();
      }
    },
    explain: async (db, query) => {
      const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
      return rows.rows.map((r) => r.detail).join("\n");
    },
    describeError: (error) => ({ reason: toError(error).message, unreachable: false }),
  };
}

/**
 * Opens (creating if needed) a SQLite database file as Vigil storage and migrates it. Safe when
 * several OS processes use the same file: WAL journal, a busy timeout, and immediate write
 * transactions.
 *
 * @example
 * await using storage = await openSqliteStorage({ path: ".vigil/vigil.db" });
 */
export async function openSqliteStorage(options: SqliteStorageOptions): Promise<SqlStorage> {
  const path = resolve(options.path);
  let database: BetterSqlite3.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    database = new BetterSqlite3(path, { timeout: options.busyTimeoutMs ?? 10_000 });
    database.pragma("journal_mode = WAL");
    database.pragma(`synchronous = ${options.synchronous === "NORMAL" ? "NORMAL" : "FULL"}`);
    database.pragma("foreign_keys = ON");
  } catch (error) {
    throw new StorageError(
      `Cannot open the SQLite database at ${path} (${toError(error).message}); check storage.sqlite.path in vigil.yaml and that its folder is writable.`,
      { cause: error },
    );
  }
  const lock = writeLockFor(path);
  const capabilities = sqliteCapabilities(lock);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }, lock) });
  const result = await migrate(db, capabilities);
  if (result.error !== null) {
    await db.destroy();
    throw new StorageError(
      `Cannot migrate the SQLite database at ${path}${result.failed === null ? "" : ` (migration ${result.failed})`}: ${result.error.message}; check that the file is a Vigil database and writable.`,
      { cause: result.error },
    );
  }
  return new SqlStorage(db, capabilities);
}
