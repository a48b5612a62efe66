// Fresh storages for benchmarks, one per available dialect.
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { openPostgresStorage } from "../src/storage/dialects/postgres.js";
import { openSqliteStorage } from "../src/storage/dialects/sqlite.js";
import { createTempDatabase } from "../test/support/postgres.js";
import type { BenchContext, BenchStorage } from "./harness.js";

export async function openBenchSqlite(context: BenchContext): Promise<BenchStorage> {
  const storage = await openSqliteStorage({ path: join(context.tmpDir, `${randomUUID()}.db`) });
  return { dialect: "sqlite", storage, dispose: () => storage.close() };
}

export async function openBenchPostgres(serverUrl: string): Promise<BenchStorage> {
  const database = await createTempDatabase(serverUrl);
  const storage = await openPostgresStorage({ url: database.url });
  return {
    dialect: "postgres",
    storage,
    dispose: async () => {
      await storage.close();
      await database.drop();
    },
  };
}

/** SQLite always; PostgreSQL when a server is available. */
export async function* benchStorages(context: BenchContext): AsyncGenerator<BenchStorage> {
  yield await openBenchSqlite(context);
  if (context.postgresUrl !== null) yield await openBenchPostgres(context.postgresUrl);
}
