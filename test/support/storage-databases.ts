// Fresh databases for the storage conformance suite: a temp SQLite file per test, and a fresh
// schema per test inside one temp PostgreSQL database per test file.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { openPostgresStorage } from "../../src/storage/dialects/postgres.js";
import { openSqliteStorage } from "../../src/storage/dialects/sqlite.js";
import type { SqlStorage } from "../../src/storage/sql-storage.js";
import type { TestDatabase } from "../../src/storage/testing/storage-conformance.js";
import { createTempDatabase } from "./postgres.js";

/** A test database whose storages are closed, and files removed, when it is disposed. */
function testDatabase(
  spec: TestDatabase["spec"],
  connect: (options?: { queue?: boolean }) => Promise<SqlStorage>,
  rawSql: (statement: string) => Promise<void>,
  remove: () => Promise<void>,
): TestDatabase {
  const opened: SqlStorage[] = [];
  return {
    spec,
    connect: async (options) => {
      const storage = await connect(options);
      opened.push(storage);
      return storage;
    },
    rawSql,
    [Symbol.asyncDispose]: async () => {
      await Promise.all(opened.map((s) => s.close()));
      await remove();
    },
  };
}

/** A fresh SQLite file in a new temp folder (in a subfolder that does not exist yet). */
export async function openTempSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-sqlite-"));
  const path = join(dir, "home", "vigil.db");
  return testDatabase(
    { dialect: "sqlite", path },
    () => openSqliteStorage({ path }),
    async (statement) => {
      const raw = new BetterSqlite3(path);
      try {
        raw.exec(statement);
      } finally {
        raw.close();
      }
    },
    async () => rmSync(dir, { recursive: true, force: true }),
  );
}

/**
 * Returns an opener of fresh PostgreSQL schemas inside one temp database created on first use on
 * `serverUrl`, and a `drop()` for afterAll.
 */
export function tempPostgresSchemas(serverUrl: string): { open: () => Promise<TestDatabase>; drop: () => Promise<void> } {
  let database: ReturnType<typeof createTempDatabase> | undefined;
  return {
    open: async () => {
      database ??= createTempDatabase(serverUrl);
      const { url } = await database;
      const schema = `t_${randomUUID().replaceAll("-", "")}`;
      const run = async (statement: string) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`set search_path to ${schema}`);
          await client.query(statement);
        } finally {
          await client.end();
        }
      };
      return testDatabase(
        { dialect: "postgres", url, schema },
        (options) => openPostgresStorage({ url, schema, poolSize: 10, queue: options?.queue === true }),
        run,
        () => run(`drop schema if exists ${schema} cascade`),
      );
    },
    drop: async () => {
      if (database !== undefined) await (await database).drop();
    },
  };
}
