// Fresh storages for benchmarks, one per available dialect.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { openPostgresStorage } from "../src/storage/dialects/postgres.js";
import { openSqliteStorage } from "../src/storage/dialects/sqlite.js";
import { createTempDatabase } from "../test/support/postgres.js";
import { Instance } from "../src/instance/index.js";
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

/**
 * An ephemeral instance (SQLite `synchronous` FULL, the default), or one in a temp home whose
 * vigil.yaml sets `synchronous` (to measure what the durability costs); and what removes it.
 */
export async function openBenchInstance(synchronous: "NORMAL" | null): Promise<{ instance: Instance; remove: () => void }> {
  if (synchronous === null) return { instance: await Instance.ephemeral(), remove: () => undefined };
  const home = mkdtempSync(join(tmpdir(), "vigil-bench-"));
  writeFileSync(join(home, "vigil.yaml"), `storage:\n  sqlite:\n    path: vigil.db\n    synchronous: ${synchronous}\nrunLauncher: in-process\n`);
  return { instance: await Instance.open(home), remove: () => rmSync(home, { recursive: true, force: true }) };
}
