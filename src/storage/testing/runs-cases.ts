import { expect, it } from "vitest";
import { ErrorCode, StorageError } from "../../errors/index.js";
import { RunStatus } from "../../model/index.js";
import { newRun, uid, type DescribeStorageOptions } from "./fixtures.js";

/** Runs: add, get, every `getRuns` filter, paging, counting, run keys. */
export function runCases({ open }: DescribeStorageOptions): void {
  it("stores a run and reads it back with its tags and run config", async () => {
    await using db = await open();
    const storage = await db.connect();
    const run = newRun({ tags: { team: "data", "vigil/run_key": "k1" }, runConfig: { ops: { a: { config: { n: 1 } } } }, createdAt: 1234 });
    const stored = await storage.addRun(run);
    const expected = { runId: run.runId, jobName: "job_a", status: RunStatus.NOT_STARTED, tags: run.tags, runConfig: run.runConfig, createdAt: 1234, startedAt: null, endedAt: null };
    expect(stored).toEqual(expected);
    expect(await storage.getRun(run.runId)).toEqual(expected);
  });

  it("returns null for an unknown run id", async () => {
    await using db = await open();
    const storage = await db.connect();
    expect(await storage.getRun(uid("missing"))).toBeNull();
  });

  it("rejects a second run with the same id and keeps the first", async () => {
    await using db = await open();
    const storage = await db.connect();
    const run = newRun();
    await storage.addRun(run);
    const error = await storage.addRun({ ...run, jobName: "other" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe(ErrorCode.STORAGE_ERROR);
    expect((error as StorageError).message).toBe(`Run "${run.runId}" already exists; give each run a new id.`);
    expect((await storage.getRun(run.runId))?.jobName).toBe("job_a");
  });

  it("lists runs newest first, by creation order", async () => {
    await using db = await open();
    const storage = await db.connect();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await storage.addRun(newRun())).runId);
    expect((await storage.getRuns()).map((r) => r.runId)).toEqual([...ids].reverse());
  });

  it("filters runs by job name, statuses, run ids and every given tag", async () => {
    await using db = await open();
    const storage = await db.connect();
    const a = await storage.addRun(newRun({ jobName: "a", tags: { team: "x", env: "prod" } }));
    const b = await storage.addRun(newRun({ jobName: "b", status: RunStatus.QUEUED, tags: { team: "x", env: "dev" } }));
    const c = await storage.addRun(newRun({ jobName: "a", status: RunStatus.QUEUED, tags: { team: "y" } }));
    const ids = async (filter: Parameters<typeof storage.getRuns>[0]) => (await storage.getRuns(filter)).map((r) => r.runId);
    expect(await ids({ jobName: "a" })).toEqual([c.runId, a.runId]);
    expect(await ids({ statuses: [RunStatus.QUEUED] })).toEqual([c.runId, b.runId]);
    expect(await ids({ statuses: [RunStatus.QUEUED, RunStatus.NOT_STARTED] })).toEqual([c.runId, b.runId, a.runId]);
    expect(await ids({ statuses: [] })).toEqual([]);
    expect(await ids({ runIds: [a.runId, c.runId] })).toEqual([c.runId, a.runId]);
    expect(await ids({ runIds: [] })).toEqual([]);
    expect(await ids({ tags: { team: "x" } })).toEqual([b.runId, a.runId]);
    expect(await ids({ tags: { team: "x", env: "prod" } })).toEqual([a.runId]);
    expect(await ids({ tags: { team: "x", env: "none" } })).toEqual([]);
    expect(await ids({ jobName: "a", statuses: [RunStatus.QUEUED], tags: { team: "y" } })).toEqual([c.runId]);
  });

  it("pages through runs newest first with a cursor and a limit", async () => {
    await using db = await open();
    const storage = await db.connect();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await storage.addRun(newRun({ jobName: i % 2 === 0 ? "even" : "odd" }))).runId);
    const newestFirst = [...ids].reverse();
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await storage.getRuns({ limit: 3, ...(cursor === undefined ? {} : { cursor }) });
      if (page.length === 0) break;
      seen.push(...page.map((r) => r.runId));
      cursor = page.at(-1)?.runId;
    }
    expect(seen).toEqual(newestFirst);
    const evens = await storage.getRuns({ jobName: "even", cursor: ids[4] ?? "", limit: 1 });
    expect(evens.map((r) => r.runId)).toEqual([ids[2]]);
  });

  it("returns no runs after an unknown cursor", async () => {
    await using db = await open();
    const storage = await db.connect();
    await storage.addRun(newRun());
    expect(await storage.getRuns({ cursor: uid("missing") })).toEqual([]);
  });

  it("counts matching runs, ignoring limit and cursor", async () => {
    await using db = await open();
    const storage = await db.connect();
    expect(await storage.countRuns()).toBe(0);
    const first = await storage.addRun(newRun({ tags: { t: "1" } }));
    await storage.addRun(newRun({ tags: { t: "1" } }));
    await storage.addRun(newRun({ jobName: "other" }));
    expect(await storage.countRuns()).toBe(3);
    expect(await storage.countRuns({ jobName: "job_a" })).toBe(2);
    expect(await storage.countRuns({ tags: { t: "1" }, limit: 1, cursor: first.runId })).toBe(2);
    expect(await storage.countRuns({ statuses: [RunStatus.SUCCESS] })).toBe(0);
  });

  it("creates a run for a new run key and nothing for a key the sensor already used", async () => {
    await using db = await open();
    const storage = await db.connect();
    const first = newRun();
    expect((await storage.createRunIfNewKey(first, { sensorName: "s", runKey: "file-1" }))?.runId).toBe(first.runId);
    const second = newRun();
    expect(await storage.createRunIfNewKey(second, { sensorName: "s", runKey: "file-1" })).toBeNull();
    expect(await storage.getRun(second.runId)).toBeNull();
    // Keys are per sensor.
    const third = newRun();
    expect((await storage.createRunIfNewKey(third, { sensorName: "t", runKey: "file-1" }))?.runId).toBe(third.runId);
    expect(await storage.getRunIdsForRunKeys("s", ["file-1", "file-2"])).toEqual(new Map([["file-1", first.runId]]));
  });

  it("releases a run key when its run cannot be stored", async () => {
    await using db = await open();
    const storage = await db.connect();
    const existing = await storage.addRun(newRun());
    await expect(storage.createRunIfNewKey(newRun({ runId: existing.runId }), { sensorName: "s", runKey: "k" })).rejects.toThrow(StorageError);
    expect(await storage.getRunIdsForRunKeys("s", ["k"])).toEqual(new Map());
  });

  it("looks up more run keys than one statement can carry", async () => {
    await using db = await open();
    const storage = await db.connect();
    const used: string[] = [];
    for (let i = 0; i < 30; i++) {
      const run = await storage.createRunIfNewKey(newRun(), { sensorName: "s", runKey: `key-${i * 100}` });
      if (run) used.push(`key-${i * 100}`);
    }
    const asked = Array.from({ length: 3000 }, (_, i) => `key-${i}`);
    const found = await storage.getRunIdsForRunKeys("s", asked);
    expect([...found.keys()].sort()).toEqual([...used].sort());
  });
}
