import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createTempDatabase } from "../../test/support/postgres.js";
import { openTempSqlite, tempPostgresSchemas } from "../../test/support/storage-databases.js";
import { ErrorCode, StorageError } from "../errors/index.js";
import { openPostgresStorage } from "./dialects/postgres.js";
import { openSqliteStorage } from "./dialects/sqlite.js";
import { describeStorage } from "./testing/storage-conformance.js";

// STORAGES=sqlite or STORAGES=postgres narrows the run (comma list); default: both.
const wanted = process.env.STORAGES?.split(",").map((s) => s.trim()) ?? ["sqlite", "postgres"];
const notWanted = (name: string) => (wanted.includes(name) ? undefined : `not listed in STORAGES=${process.env.STORAGES ?? ""}`);

describeStorage({
  name: "sqlite",
  open: openTempSqlite,
  capabilities: { deterministicPlans: true },
  ...(notWanted("sqlite") === undefined ? {} : { skip: notWanted("sqlite") }),
});

const postgresUrl = inject("postgresUrl");
const postgres = postgresUrl === null ? null : tempPostgresSchemas(postgresUrl);
afterAll(async () => {
  await postgres?.drop();
});
const postgresSkip =
  notWanted("postgres") ?? (postgres === null ? "NO POSTGRESQL SERVER: set DATABASE_URL (global setup could not start one)" : undefined);
describeStorage({
  name: "postgres",
  open: postgres?.open ?? (() => Promise.reject(new Error("PostgreSQL is not available"))),
  // A fresh, never-analysed table gets the planner's default estimates, so the plan is stable.
  capabilities: { deterministicPlans: true },
  ...(postgresSkip === undefined ? {} : { skip: postgresSkip }),
});

describe("openSqliteStorage", () => {
  it("creates missing parent folders of the database file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-open-"));
    try {
      await using storage = await openSqliteStorage({ path: join(dir, "a", "b", "vigil.db") });
      expect(await storage.getMaxStorageId()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("syncs every commit (synchronous = FULL) unless NORMAL is asked for", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-open-"));
    try {
      await using full = await openSqliteStorage({ path: join(dir, "full.db") });
      await using normal = await openSqliteStorage({ path: join(dir, "normal.db"), synchronous: "NORMAL" });
      // PRAGMA synchronous answers 2 for FULL, 1 for NORMAL.
      expect(await full.inspect("pragma synchronous")).toEqual({ synchronous: 2 });
      expect(await normal.inspect("pragma synchronous")).toEqual({ synchronous: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the path when the file cannot be opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-open-"));
    try {
      const error = await openSqliteStorage({ path: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(new RegExp(`^Cannot open the SQLite database at ${dir} \\(.+\\); check storage\\.sqlite\\.path in vigil\\.yaml and that its folder is writable\\.$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("openPostgresStorage", () => {
  it("reports an unreachable server by host and port, without the password", async () => {
    const error = await openPostgresStorage({ url: "postgres://vigil:s3cret@127.0.0.1:5999/vigil" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe(ErrorCode.STORAGE_UNREACHABLE);
    expect((error as Error).message).toBe(
      "Cannot reach PostgreSQL at 127.0.0.1:5999 (connection refused); check storage.postgres.url in vigil.yaml and that the server is running.",
    );
    expect(String((error as Error).stack)).not.toContain("s3cret");
  });

  it.skipIf(postgresUrl === null)("migrates a fresh database with a pool of one connection, work queue included", async () => {
    const database = await createTempDatabase(postgresUrl ?? "");
    try {
      await using storage = await openPostgresStorage({ url: database.url, poolSize: 1, queue: true });
      expect(await storage.getMaxStorageId()).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
