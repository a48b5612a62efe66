import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { ErrorCode, StorageError } from "../../errors/index.js";
import { EventType } from "../../model/index.js";
import type { SqlStorage } from "../sql-storage.js";
import { logEntry, newRun, type DescribeStorageOptions } from "./fixtures.js";
import { startStorageChild } from "./child-process.js";
import type { WriterJob } from "./event-writer-process.js";

const writerScript = fileURLToPath(new URL("./event-writer-process.ts", import.meta.url));

/**
 * Follows the log the way a sensor does (ascending from its last cursor) until `done()`, then
 * drains. If ids ever became visible out of order, it would step over the late one and miss it.
 */
async function tail(storage: SqlStorage, done: () => boolean): Promise<number[]> {
  const seen: number[] = [];
  let cursor = 0;
  for (let finished = false; ; ) {
    finished = done();
    const page = await storage.getEventRecords({ eventType: EventType.LOG, afterCursor: cursor, ascending: true, limit: 1000 });
    for (const r of page) seen.push(r.storageId);
    cursor = page.at(-1)?.storageId ?? cursor;
    if (page.length === 0) {
      if (finished) return seen;
      await sleep(2);
    }
  }
}

function expectStrictlyIncreasing(ids: readonly number[]): void {
  const bad = ids.findIndex((id, i) => i > 0 && id <= ids[i - 1]!);
  expect(bad, `storage id at position ${bad} is not above the one before`).toBe(-1);
}

/** Startup, migration and failure behaviour, and concurrent writers (in-process and across processes). */
export function concurrencyCases({ open }: DescribeStorageOptions): void {
  it("applies no migration to an up-to-date database and keeps its data when reopened", async () => {
    await using db = await open();
    const storage = await db.connect();
    const run = await storage.addRun(newRun());
    expect(await storage.migrate()).toEqual({ applied: [], failed: null, error: null });
    const again = await db.connect();
    expect(await again.getRun(run.runId)).toEqual(run);
  });

  it("migrates a fresh database once when two storages open it at the same time", async () => {
    await using db = await open();
    const [a, b] = await Promise.all([db.connect(), db.connect()]);
    const run = await a.addRun(newRun());
    expect(await b.getRun(run.runId)).toEqual(run);
  });

  it("closes twice safely and then refuses calls with a StorageError", async () => {
    await using db = await open();
    const storage = await db.connect();
    await storage.close();
    await storage.close();
    const error = await storage.getRun("r").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toBe(`Cannot read run "r": this ${storage.dialectName} storage is closed; open a new one.`);
  });

  it("wraps a driver error in a StorageError naming the operation", async () => {
    await using db = await open();
    const storage = await db.connect();
    await db.rawSql("drop table ticks");
    const error = await storage.getTicks("s").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe(ErrorCode.STORAGE_ERROR);
    expect((error as Error).message).toMatch(
      new RegExp(`^Could not read the ticks of sensor "s" in ${storage.dialectName} storage \\(.*ticks.*\\); check that the database is reachable and writable\\.$`),
    );
  });

  it("gives concurrent writers in one process distinct ids that a tailing reader sees in order", { timeout: 60_000 }, async () => {
    await using db = await open();
    const storage = await db.connect();
    const reader = await db.connect();
    let running = 0;
    const writer = async (w: number) => {
      running++;
      try {
        const ids: number[] = [];
        for (let i = 0; i < 60; i++) {
          const batch = i % 15 === 0 ? 20 : 1;
          const stored = await storage.storeEvents(Array.from({ length: batch }, (_, j) => logEntry(`w${w}`, i, `${i}:${j}`)));
          ids.push(...stored.map((r) => r.storageId));
        }
        return ids;
      } finally {
        running--;
      }
    };
    const writers = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    const seen = await tail(reader, () => running === 0);
    const written = (await writers).flat();
    expect(new Set(written).size).toBe(written.length);
    expectStrictlyIncreasing(seen);
    expect([...seen].sort((x, y) => x - y)).toEqual([...written].sort((x, y) => x - y));
  });

  it("loses nothing when two OS processes write the same database at once, and ids rise in commit order", { timeout: 120_000 }, async () => {
    await using db = await open();
    const children = ["p1", "p2"].map((writer) => {
      const job: WriterJob = { spec: db.spec, writer, singles: 500, batches: 10, batchSize: 50 };
      const started = startStorageChild<{ ids: number[] }>(writerScript, `writer ${writer}`, job);
      return { ...started, exited: started.exited.then((r) => r.ids) };
    });
    // Both children opened (and migrated) the fresh database concurrently before saying ready.
    await Promise.all(children.map((c) => c.ready));
    const reader = await db.connect();
    let finished = 0;
    const results = Promise.all(children.map((c) => c.exited.finally(() => finished++)));
    for (const c of children) c.go();
    const seen = await tail(reader, () => finished === children.length);
    const [p1, p2] = await results;
    const expected = 2 * (500 + 10 * 50);
    expect(p1).toHaveLength(expected / 2);
    expect(p2).toHaveLength(expected / 2);
    expectStrictlyIncreasing(p1 ?? []);
    expectStrictlyIncreasing(p2 ?? []);
    const written = [...(p1 ?? []), ...(p2 ?? [])].sort((x, y) => x - y);
    expect(new Set(written).size).toBe(expected);
    expectStrictlyIncreasing(seen);
    expect(seen).toEqual(written);
    expect(await reader.getRunEvents("p1")).toHaveLength(expected / 2);
  });
}
