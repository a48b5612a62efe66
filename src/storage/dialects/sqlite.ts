import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
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
}

/**
 * Kysely's SQLite driver begins transactions with a deferred `BEGIN`, which can fail with
 * SQLITE_BUSY when a read upgrades to a write while another process writes (busy_timeout does not
 * help there). `BEGIN IMMEDIATE` takes the write lock up front and waits for it instead; it also
 * makes commit order equal id order, since only one write transaction runs at a time.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** SQLite's answers to the dialect questions. */
const sqliteCapabilities: DialectCapabilities = {
  name: "sqlite",
  ddl: {
    autoIncrementType: "integer",
    // AUTOINCREMENT: ids are never reused, even after the newest rows are deleted (tick purges).
    autoIncrement: (c) => c.primaryKey().autoIncrement(),
    bigintType: "integer",
  },
  supportsRowLocks: false,
  supportsSkipLocked: false,
  maxParameters: 32_766,
  schema: undefined,
  // Every write transaction already holds SQLite's single write lock (BEGIN IMMEDIATE).
  serializeEventAppends: async () => undefined,
  // Kysely migrates in a transaction, which here is BEGIN IMMEDIATE: that is the cross-process lock.
  withMigrationLock: (fn) => fn(),
  explain: async (db, query) => {
    const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    return rows.rows.map((r) => r.detail).join("\n");
  },
  describeError: (error) => ({ reason: toError(error).message, unreachable: false }),
};

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
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
  } catch (error) {
    throw new StorageError(
      `Cannot open the SQLite database at ${path} (${toError(error).message}); check storage.sqlite.path in vigil.yaml and that its folder is writable.`,
      { cause: error },
    );
  }
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
  const result = await migrate(db, sqliteCapabilities);
  if (result.error !== null) {
    await db.destroy();
    throw new StorageError(
      `Cannot migrate the SQLite database at ${path}${result.failed === null ? "" : ` (migration ${result.failed})`}: ${result.error.message}; check that the file is a Vigil database and writable.`,
      { cause: result.error },
    );
  }
  return new SqlStorage(db, sqliteCapabilities);
}
