import { expect, it } from "vitest";
import { InvalidStatusTransitionError } from "../../errors/index.js";
import { EventType, RunStatus, RunTag, TICK_LIST_CAP, TickStatus } from "../../model/index.js";
import type { TickCommit, TickRunRequest } from "../storage.js";
import { newRun, uid, type DescribeStorageOptions } from "./fixtures.js";

/** A run request with a fresh run id. */
function request(runKey: string | null, overrides: Partial<TickRunRequest> = {}): TickRunRequest & { runId: string } {
  return { runId: uid("run"), jobName: "job_a", runKey, runConfig: {}, tags: {}, ...overrides };
}

function commitOf(tickId: number, runRequests: TickRunRequest[], overrides: Partial<TickCommit> = {}): TickCommit {
  return { tickId, runRequests, skipReason: null, error: null, cursor: "c1", storeCursor: true, endTimestamp: 150, createdAt: 1_000, ...overrides };
}

/** `commitTick`: the one transaction that ends a daemon tick. */
export function tickCommitCases({ open }: DescribeStorageOptions): void {
  it("commits queued runs with their tags and events, the tick's end and the sensor's state together", async () => {
    await using db = await open();
    const storage = await db.connect();
    await storage.upsertSensorState({ name: "s", cursor: "c0" });
    const tick = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: "c0" });
    const a = request("k1", { tags: { team: "data", [RunTag.SENSOR_NAME]: "spoofed" }, runConfig: { ops: { x: { config: { n: 1 } } } } });
    const b = request(null);
    const { tick: ended, runs } = await storage.commitTick(commitOf(tick.id, [a, b]));
    expect(ended).toEqual({
      ...tick, status: "SUCCESS", endTimestamp: 150, runIds: [a.runId, b.runId], runKeys: ["k1"], dedupedRunKeys: [], skipReason: null, error: null, cursor: "c1",
    });
    expect(await storage.getTick(tick.id)).toEqual(ended);
    const stored = await storage.getRun(a.runId);
    expect(stored).toMatchObject({ status: "QUEUED", jobName: "job_a", runConfig: { ops: { x: { config: { n: 1 } } } }, createdAt: 1_000 });
    expect(stored?.tags).toEqual({ team: "data", [RunTag.SENSOR_NAME]: "s", [RunTag.RUN_KEY]: "k1", [RunTag.TICK_ID]: String(tick.id) });
    expect((await storage.getRun(b.runId))?.tags).toEqual({ [RunTag.SENSOR_NAME]: "s", [RunTag.TICK_ID]: String(tick.id) });
    expect(runs.map((r) => r.runId)).toEqual([a.runId, b.runId]);
    expect(await storage.getRuns({ tags: { [RunTag.RUN_KEY]: "k1", [RunTag.SENSOR_NAME]: "s" } })).toHaveLength(1);
    const events = await storage.getEventRecords({ eventType: EventType.RUN_ENQUEUED, ascending: true });
    expect(events.map((e) => [e.entry.runId, e.entry.event?.runStatus])).toEqual([[a.runId, "QUEUED"], [b.runId, "QUEUED"]]);
    expect(await storage.getSensorState("s")).toMatchObject({ cursor: "c1", lastTickTimestamp: 100, lastRunKey: "k1", status: "STOPPED" });
  });

  it("creates one run per run key within a tick and none for a key used by an earlier tick or a hand-made run", async () => {
    await using db = await open();
    const storage = await db.connect();
    const t1 = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: null });
    const first = await storage.commitTick(commitOf(t1.id, [request("a"), request("b"), request("a")]));
    expect(first.tick.runKeys).toEqual(["a", "b"]);
    expect(first.runs).toHaveLength(2);
    // A run made by hand with this sensor's tags blocks its key too, whatever its status.
    await storage.addRun(newRun({ status: RunStatus.FAILURE, tags: { [RunTag.SENSOR_NAME]: "s", [RunTag.RUN_KEY]: "c" } }));
    // Another sensor's run with the same key does not.
    await storage.addRun(newRun({ tags: { [RunTag.SENSOR_NAME]: "other", [RunTag.RUN_KEY]: "d" } }));
    const t2 = await storage.createTick({ sensorName: "s", timestamp: 200, cursorBefore: "c1" });
    const second = await storage.commitTick(commitOf(t2.id, [request("b"), request("c"), request("d"), request("a")], { cursor: "c2", endTimestamp: 250 }));
    expect(second.tick).toMatchObject({ status: "SUCCESS", runKeys: ["b", "c", "d", "a"], dedupedRunKeys: ["b", "c", "a"] });
    expect(second.runs.map((r) => r.tags[RunTag.RUN_KEY])).toEqual(["d"]);
    expect(await storage.countRuns({ tags: { [RunTag.SENSOR_NAME]: "s" } })).toBe(4);
    expect(await storage.getSensorState("s")).toMatchObject({ cursor: "c2", lastTickTimestamp: 200, lastRunKey: "a" });
  });

  it("skips a tick whose run keys were all used, with a reason and the keys in dedupedRunKeys", async () => {
    await using db = await open();
    const storage = await db.connect();
    const t1 = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: null });
    await storage.commitTick(commitOf(t1.id, [request("a")]));
    const t2 = await storage.createTick({ sensorName: "s", timestamp: 200, cursorBefore: "c1" });
    const { tick, runs } = await storage.commitTick(commitOf(t2.id, [request("a"), request("a")], { cursor: "c2" }));
    expect(runs).toEqual([]);
    expect(tick).toMatchObject({ status: "SKIPPED", runIds: [], runKeys: ["a"], dedupedRunKeys: ["a"], cursor: "c2" });
    expect(tick.skipReason).toBe("Every requested run key was already used by this sensor (1 key, listed in dedupedRunKeys); no run was created.");
    expect(await storage.countRuns()).toBe(1);
  });

  it("generates the run id of a request without one, only for the runs it creates", async () => {
    await using db = await open();
    const storage = await db.connect();
    const t1 = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: null });
    const { runId: _a, ...a } = request("a");
    const { runId: _b, ...keyless } = request(null);
    const first = await storage.commitTick(commitOf(t1.id, [a, a, keyless]));
    expect(first.runs).toHaveLength(2);
    expect(new Set(first.runs.map((r) => r.runId)).size).toBe(2);
    expect(first.tick.runIds).toEqual(first.runs.map((r) => r.runId));
    expect((await storage.getRun(first.runs[0]?.runId ?? ""))?.tags[RunTag.RUN_KEY]).toBe("a");
    const t2 = await storage.createTick({ sensorName: "s", timestamp: 200, cursorBefore: "c1" });
    const second = await storage.commitTick(commitOf(t2.id, [a]));
    expect(second.tick).toMatchObject({ status: "SKIPPED", runIds: [], dedupedRunKeys: ["a"] });
  });

  it("records a failed tick without moving the cursor, or with it when asked (run status sensors)", async () => {
    await using db = await open();
    const storage = await db.connect();
    await storage.upsertSensorState({ name: "s", cursor: "c0", status: "RUNNING", lastRunKey: "old" });
    const error = { message: "boom", stack: "Error: boom\n    at x" };
    const t1 = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: "c0" });
    const failed = await storage.commitTick(commitOf(t1.id, [], { error, cursor: "c0", storeCursor: false }));
    expect(failed.tick).toMatchObject({ status: "FAILURE", error, cursor: "c0", skipReason: null });
    expect(await storage.getSensorState("s")).toMatchObject({ status: "RUNNING", cursor: "c0", lastTickTimestamp: 100, lastRunKey: "old" });
    const t2 = await storage.createTick({ sensorName: "s", timestamp: 200, cursorBefore: "c0" });
    await storage.commitTick(commitOf(t2.id, [], { error, cursor: "c9", storeCursor: true }));
    expect(await storage.getSensorState("s")).toMatchObject({ cursor: "c9", lastTickTimestamp: 200 });
  });

  it("ends a tick that handled run status events but created no run as SUCCESS", async () => {
    await using db = await open();
    const storage = await db.connect();
    const tick = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: null });
    const { tick: ended } = await storage.commitTick(commitOf(tick.id, [], { handledEvents: 2, skipReason: "ignored" }));
    expect(ended).toMatchObject({ status: "SUCCESS", skipReason: null, runIds: [] });
  });

  it("writes nothing when the tick has already ended", async () => {
    await using db = await open();
    const storage = await db.connect();
    const tick = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: null });
    await storage.updateTick(tick.id, { status: TickStatus.SKIPPED, skipReason: "interrupted" });
    const error = await storage.commitTick(commitOf(tick.id, [request("a"), request(null)])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStatusTransitionError);
    expect(await storage.countRuns()).toBe(0);
    expect(await storage.getEventRecords({ eventType: EventType.RUN_ENQUEUED })).toEqual([]);
    expect(await storage.getSensorState("s")).toBeNull();
    // The key was not reserved either: a later tick still gets it.
    const next = await storage.createTick({ sensorName: "s", timestamp: 200, cursorBefore: null });
    expect((await storage.commitTick(commitOf(next.id, [request("a")]))).runs).toHaveLength(1);
  });

  it("handles thousands of keys in one tick, beyond one statement's size", async () => {
    await using db = await open();
    const storage = await db.connect();
    const keys = Array.from({ length: 2_500 }, (_, i) => `key-${i}`);
    const t1 = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: null });
    const first = await storage.commitTick(commitOf(t1.id, keys.slice(0, 1_500).map((k) => request(k, { tags: { a: "1", b: "2" } }))));
    expect(first.runs).toHaveLength(1_500);
    const t2 = await storage.createTick({ sensorName: "s", timestamp: 200, cursorBefore: "c1" });
    const second = await storage.commitTick(commitOf(t2.id, keys.map((k) => request(k))));
    // The stored lists keep their first TICK_LIST_CAP entries; totals count them all.
    expect(second.tick.dedupedRunKeys).toEqual(keys.slice(0, TICK_LIST_CAP));
    expect(second.tick.totals).toEqual({ runIds: 1_000, runKeys: 2_500, dedupedRunKeys: 1_500 });
    expect(await storage.getTick(t2.id)).toEqual(second.tick);
    expect(second.runs.map((r) => r.tags[RunTag.RUN_KEY])).toEqual(keys.slice(1_500));
    expect(await storage.countRuns({ statuses: [RunStatus.QUEUED] })).toBe(2_500);
    expect(await storage.getEventRecords({ eventType: EventType.RUN_ENQUEUED, limit: 5_000 })).toHaveLength(2_500);
  });
}
