import { afterAll, describe, expect, inject, it } from "vitest";
import { RunCoordinator, type LaunchTarget } from "../../src/coordinator/run-coordinator.js";
import type { Run } from "../../src/model/index.js";
import type { SqlStorage } from "../../src/storage/sql-storage.js";
import { openTempSqlite, tempPostgresSchemas } from "../support/storage-databases.js";
import { eventTypes, queueRun, TEST_CLAIMER } from "./support.js";

/** A launcher that records what it was given and leaves the runs STARTING (so they stay in flight). */
class RecordingLauncher implements LaunchTarget {
  readonly kind = "recording";
  readonly launched: string[] = [];
  async launch(run: Run): Promise<void> {
    this.launched.push(run.runId);
  }
}

async function finish(storage: SqlStorage, run: Run): Promise<void> {
  const at = Date.now();
  await storage.storeEvents([
    { runId: run.runId, jobName: run.jobName, timestamp: at, level: "DEBUG", message: "start", event: { eventType: "RUN_START", runStatus: "STARTED" } },
    { runId: run.runId, jobName: run.jobName, timestamp: at, level: "DEBUG", message: "done", event: { eventType: "RUN_SUCCESS", runStatus: "SUCCESS" } },
  ]);
}

const postgresUrl = inject("postgresUrl");
const postgres = postgresUrl === null ? null : tempPostgresSchemas(postgresUrl);
afterAll(async () => postgres?.drop());

const dialects = [
  { name: "sqlite", open: openTempSqlite },
  ...(postgres === null ? [] : [{ name: "postgres", open: postgres.open }]),
];

describe.each(dialects)("RunCoordinator on $name", ({ open }) => {
  it("launches queued runs oldest first and moves them to STARTING", async () => {
    await using db = await open();
    const storage = await db.connect();
    const runs = [await queueRun(storage, "a"), await queueRun(storage, "b"), await queueRun(storage, "c")];
    const launcher = new RecordingLauncher();
    const claimed = await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue();
    expect(claimed.map((r) => r.runId)).toEqual(runs.map((r) => r.runId));
    const [claimEvent] = await storage.getEventRecords({ eventType: "RUN_STARTING", runIds: [runs[0]?.runId ?? ""] });
    expect(claimEvent?.entry.event?.claimedBy).toBe(TEST_CLAIMER);
    expect(launcher.launched).toEqual(runs.map((r) => r.runId));
    for (const run of runs) {
      expect((await storage.getRun(run.runId))?.status).toBe("STARTING");
      expect(await eventTypes(storage, run.runId)).toEqual(["RUN_ENQUEUED", "RUN_STARTING"]);
    }
    expect(await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue()).toEqual([]);
  });

  it("honours the global limit, counting runs already in flight", async () => {
    await using db = await open();
    const storage = await db.connect();
    const runs: Run[] = [];
    for (let i = 0; i < 5; i++) runs.push(await queueRun(storage, "job"));
    const launcher = new RecordingLauncher();
    const coordinator = new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER, maxConcurrentRuns: 2 });
    expect((await coordinator.dequeue()).map((r) => r.runId)).toEqual([runs[0]?.runId, runs[1]?.runId]);
    expect(await coordinator.dequeue()).toEqual([]);
    await finish(storage, runs[0] as Run);
    expect((await coordinator.dequeue()).map((r) => r.runId)).toEqual([runs[2]?.runId]);
    expect(await storage.countRuns({ statuses: ["QUEUED"] })).toBe(2);
  });

  it("honours per-tag limits, with and without a value, without holding back other runs", async () => {
    await using db = await open();
    const storage = await db.connect();
    const redshift1 = await queueRun(storage, "job", { database: "redshift" });
    const redshift2 = await queueRun(storage, "job", { database: "redshift" });
    const postgres1 = await queueRun(storage, "job", { database: "postgres" });
    const backfill1 = await queueRun(storage, "job", { backfill: "b1" });
    const backfill2 = await queueRun(storage, "job", { backfill: "b2" });
    const plain = await queueRun(storage, "job");
    const launcher = new RecordingLauncher();
    const coordinator = new RunCoordinator({
      storage,
      launcher,
      claimedBy: TEST_CLAIMER,
      tagConcurrencyLimits: [
        { key: "database", value: "redshift", limit: 1 },
        { key: "backfill", limit: 1 },
      ],
    });
    await coordinator.dequeue();
    expect(launcher.launched).toEqual([redshift1.runId, postgres1.runId, backfill1.runId, plain.runId]);
    await finish(storage, redshift1);
    await coordinator.dequeue();
    expect(launcher.launched.slice(4)).toEqual([redshift2.runId]);
    expect((await storage.getRun(backfill2.runId))?.status).toBe("QUEUED");
  });

  it("never launches a run twice when two coordinators race for the same queue", async () => {
    await using db = await open();
    const [storageA, storageB] = [await db.connect(), await db.connect()];
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await queueRun(storageA, "job")).runId);
    const [a, b] = [new RecordingLauncher(), new RecordingLauncher()];
    // Small batches make the two interleave and collide.
    const options = { claimBatchSize: 7, claimedBy: TEST_CLAIMER };
    await Promise.all([
      new RunCoordinator({ storage: storageA, launcher: a, ...options }).dequeue(),
      new RunCoordinator({ storage: storageB, launcher: b, ...options }).dequeue(),
      new RunCoordinator({ storage: storageB, launcher: b, ...options }).dequeue(),
    ]);
    expect([...a.launched, ...b.launched].sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await eventTypes(storageA, id)).filter((t) => t === "RUN_STARTING")).toHaveLength(1);
  });

  it("marks a run FAILURE with the launcher's error when its launch throws", async () => {
    await using db = await open();
    const storage = await db.connect();
    const run = await queueRun(storage, "job");
    const launcher: LaunchTarget = {
      kind: "broken",
      launch: async () => {
        throw new Error("no capacity on the cluster");
      },
    };
    expect((await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue()).map((r) => r.runId)).toEqual([run.runId]);
    expect((await storage.getRun(run.runId))?.status).toBe("FAILURE");
    const events = await storage.getRunEvents(run.runId);
    expect(events.map((e) => e.entry.event?.eventType)).toEqual(["RUN_ENQUEUED", "RUN_STARTING", "RUN_FAILURE"]);
    const failure = events[2]?.entry;
    expect(failure?.message).toBe(`Launching run "${run.runId}" of job "job" with the broken launcher failed: no capacity on the cluster`);
    expect(failure?.event?.error?.message).toBe("no capacity on the cluster");
  });
});
