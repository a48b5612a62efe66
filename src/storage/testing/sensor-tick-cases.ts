import { expect, it } from "vitest";
import { InvalidStatusTransitionError, NotFoundError } from "../../errors/index.js";
import { TickStatus } from "../../model/index.js";
import { type DescribeStorageOptions } from "./fixtures.js";

/** Sensor states and ticks. */
export function sensorTickCases({ open }: DescribeStorageOptions): void {
  it("returns null for a sensor with no stored state", async () => {
    await using db = await open();
    const storage = await db.connect();
    expect(await storage.getSensorState("nobody")).toBeNull();
  });

  it("creates a sensor state with defaults for every omitted field", async () => {
    await using db = await open();
    const storage = await db.connect();
    const expected = { name: "s", status: "STOPPED", statusSource: "default", cursor: null, lastTickTimestamp: null, lastTickStartTimestamp: null, lastRunKey: null };
    expect(await storage.upsertSensorState({ name: "s" })).toEqual(expected);
    expect(await storage.getSensorState("s")).toEqual(expected);
  });

  it("updates only the given fields of a sensor state and clears a field set to null", async () => {
    await using db = await open();
    const storage = await db.connect();
    await storage.upsertSensorState({ name: "s", status: "RUNNING", statusSource: "user", cursor: "c1" });
    await storage.upsertSensorState({ name: "s", lastTickTimestamp: 50, lastTickStartTimestamp: 60, lastRunKey: "k" });
    expect(await storage.getSensorState("s")).toEqual({ name: "s", status: "RUNNING", statusSource: "user", cursor: "c1", lastTickTimestamp: 50, lastTickStartTimestamp: 60, lastRunKey: "k" });
    const cleared = await storage.upsertSensorState({ name: "s", cursor: null, status: "STOPPED" });
    expect(cleared).toEqual({ name: "s", status: "STOPPED", statusSource: "user", cursor: null, lastTickTimestamp: 50, lastTickStartTimestamp: 60, lastRunKey: "k" });
  });

  it("stores a new tick's timestamp as the sensor's lastTickStartTimestamp, keeping the rest of its state", async () => {
    await using db = await open();
    const storage = await db.connect();
    await storage.upsertSensorState({ name: "s", status: "RUNNING", cursor: "c", lastTickTimestamp: 10 });
    await storage.createTick({ sensorName: "s", timestamp: 20, cursorBefore: "c" });
    expect(await storage.getSensorState("s")).toMatchObject({ status: "RUNNING", cursor: "c", lastTickTimestamp: 10, lastTickStartTimestamp: 20 });
  });

  it("reads the newest tick of each sensor as a header, without its lists", async () => {
    await using db = await open();
    const storage = await db.connect();
    const a1 = await storage.createTick({ sensorName: "a", timestamp: 100, cursorBefore: null });
    const a2 = await storage.createTick({ sensorName: "a", timestamp: 200, cursorBefore: null });
    await storage.updateTick(a2.id, { status: "SKIPPED", endTimestamp: 250, skipReason: "nothing" });
    const headers = await storage.getLatestTickHeaders(["a", "b"]);
    expect([...headers.entries()]).toEqual([["a", { id: a2.id, sensorName: "a", status: "SKIPPED", timestamp: 200, endTimestamp: 250 }]]);
    expect(a1.id).toBeLessThan(a2.id);
  });

  it("lists every sensor state by name", async () => {
    await using db = await open();
    const storage = await db.connect();
    await storage.upsertSensorState({ name: "b" });
    await storage.upsertSensorState({ name: "a", status: "RUNNING" });
    expect((await storage.getSensorStates()).map((s) => [s.name, s.status])).toEqual([["a", "RUNNING"], ["b", "STOPPED"]]);
  });

  it("creates a STARTED tick holding its cursor before and empty lists", async () => {
    await using db = await open();
    const storage = await db.connect();
    const tick = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: "c0" });
    const expected = {
      id: tick.id, sensorName: "s", status: "STARTED", timestamp: 100, endTimestamp: null, runIds: [], runKeys: [], dedupedRunKeys: [],
      skipReason: null, error: null, cursorBefore: "c0", cursor: "c0",
    };
    expect(tick).toEqual(expected);
    expect(await storage.getTick(tick.id)).toEqual(expected);
    expect(await storage.getTick(tick.id + 1000)).toBeNull();
  });

  it("updates a tick in place while STARTED and then ends it, keeping omitted fields", async () => {
    await using db = await open();
    const storage = await db.connect();
    const { id } = await storage.createTick({ sensorName: "s", timestamp: 100, cursorBefore: null });
    await storage.updateTick(id, { status: TickStatus.STARTED, runKeys: ["k1", "k2"], runIds: ["r1"] });
    const ended = await storage.updateTick(id, { status: TickStatus.SUCCESS, endTimestamp: 150, runIds: ["r1", "r2"], dedupedRunKeys: [], cursor: "c1" });
    const expected = {
      id, sensorName: "s", status: "SUCCESS", timestamp: 100, endTimestamp: 150, runIds: ["r1", "r2"], runKeys: ["k1", "k2"], dedupedRunKeys: [],
      skipReason: null, error: null, cursorBefore: null, cursor: "c1",
    };
    expect(ended).toEqual(expected);
    expect(await storage.getTick(id)).toEqual(expected);
  });

  it("stores a failed tick's error and a skipped tick's reason", async () => {
    await using db = await open();
    const storage = await db.connect();
    const a = await storage.createTick({ sensorName: "s", timestamp: 1, cursorBefore: null });
    const b = await storage.createTick({ sensorName: "s", timestamp: 2, cursorBefore: null });
    await storage.updateTick(a.id, { status: TickStatus.FAILURE, error: { message: "boom", stack: "Error: boom\n    at x" }, endTimestamp: 3 });
    await storage.updateTick(b.id, { status: TickStatus.SKIPPED, skipReason: "no new files", endTimestamp: 4 });
    expect(await storage.getTick(a.id)).toMatchObject({ status: "FAILURE", error: { message: "boom", stack: "Error: boom\n    at x" } });
    expect(await storage.getTick(b.id)).toMatchObject({ status: "SKIPPED", skipReason: "no new files" });
  });

  it("rejects updating a tick that has ended", async () => {
    await using db = await open();
    const storage = await db.connect();
    const { id } = await storage.createTick({ sensorName: "s", timestamp: 1, cursorBefore: null });
    await storage.updateTick(id, { status: TickStatus.SKIPPED });
    const error = await storage.updateTick(id, { status: TickStatus.SUCCESS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStatusTransitionError);
    expect((error as Error).message).toBe(`Tick ${id} cannot move from SKIPPED to SUCCESS; it has already ended.`);
    expect((await storage.getTick(id))?.status).toBe("SKIPPED");
  });

  it("rejects updating an unknown tick with NotFoundError", async () => {
    await using db = await open();
    const storage = await db.connect();
    const error = await storage.updateTick(424242, { status: TickStatus.SUCCESS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe("Tick 424242 does not exist; it may have been purged.");
  });

  it("lists a sensor's ticks newest first, filtered by status, time and limit", async () => {
    await using db = await open();
    const storage = await db.connect();
    const t = async (timestamp: number, status: TickStatus, sensorName = "s") => {
      const tick = await storage.createTick({ sensorName, timestamp, cursorBefore: null });
      return status === TickStatus.STARTED ? tick : storage.updateTick(tick.id, { status });
    };
    const t1 = await t(10, TickStatus.SKIPPED);
    const t2 = await t(20, TickStatus.SUCCESS);
    const t3 = await t(20, TickStatus.FAILURE); // same timestamp: the newer id comes first
    const t4 = await t(30, TickStatus.STARTED);
    await t(40, TickStatus.SUCCESS, "other");
    const ids = async (o?: Parameters<typeof storage.getTicks>[1]) => (await storage.getTicks("s", o)).map((x) => x.id);
    expect(await ids()).toEqual([t4.id, t3.id, t2.id, t1.id]);
    expect(await ids({ limit: 2 })).toEqual([t4.id, t3.id]);
    expect(await ids({ statuses: [TickStatus.SUCCESS, TickStatus.SKIPPED] })).toEqual([t2.id, t1.id]);
    expect(await ids({ statuses: [] })).toEqual([]);
    expect(await ids({ beforeTimestamp: 20 })).toEqual([t1.id]);
    expect(await ids({ beforeTimestamp: 30, statuses: [TickStatus.FAILURE], limit: 5 })).toEqual([t3.id]);
  });

  it("purges a sensor's ticks of one status older than a time and never reuses their ids", async () => {
    await using db = await open();
    const storage = await db.connect();
    const make = async (sensorName: string, timestamp: number, status: TickStatus) => {
      const tick = await storage.createTick({ sensorName, timestamp, cursorBefore: null });
      return storage.updateTick(tick.id, { status });
    };
    await make("s", 10, TickStatus.SKIPPED);
    await make("s", 20, TickStatus.SKIPPED);
    const kept = await make("s", 30, TickStatus.SKIPPED);
    const success = await make("s", 10, TickStatus.SUCCESS);
    const other = await make("other", 10, TickStatus.SKIPPED);
    expect(await storage.purgeTicks("s", TickStatus.SKIPPED, 30)).toBe(2);
    expect((await storage.getTicks("s")).map((x) => x.id)).toEqual([kept.id, success.id]);
    expect((await storage.getTicks("other")).map((x) => x.id)).toEqual([other.id]);
    expect(await storage.purgeTicks("s", TickStatus.SKIPPED, 30)).toBe(0);
    // Purge the newest row too: its id must not come back.
    await storage.purgeTicks("other", TickStatus.SKIPPED, 100);
    const next = await storage.createTick({ sensorName: "s", timestamp: 50, cursorBefore: null });
    expect(next.id).toBeGreaterThan(other.id);
  });
}
