import { expect, it } from "vitest";
import { EventType, type EventLogRecord } from "../../model/index.js";
import type { EventRecordsFilter } from "../storage.js";
import { logEntry, materializationEntry, type DescribeStorageOptions } from "./fixtures.js";

const ids = (records: readonly EventLogRecord[]): number[] => records.map((r) => r.storageId);

/** The event log: appends, storage ids, every `getEventRecords` filter, run events. */
export function eventCases({ open, capabilities }: DescribeStorageOptions): void {
  it("returns stored entries with strictly increasing storage ids, in order", async () => {
    await using db = await open();
    const storage = await db.connect();
    const first = await storage.storeEvents([logEntry("r1", 1, "a"), logEntry("r1", 2, "b")]);
    const second = await storage.storeEvents([logEntry("r2", 3, "c")]);
    const all = [...first, ...second];
    expect(all.map((r) => r.entry.message)).toEqual(["a", "b", "c"]);
    for (let i = 1; i < all.length; i++) expect(all[i]!.storageId).toBeGreaterThan(all[i - 1]!.storageId);
    expect(await storage.getEventRecords({ eventType: EventType.LOG, ascending: true })).toEqual(all);
  });

  it("stores nothing for an empty batch", async () => {
    await using db = await open();
    const storage = await db.connect();
    expect(await storage.storeEvents([])).toEqual([]);
    expect(await storage.getMaxStorageId()).toBe(0);
  });

  it("reports the newest storage id", async () => {
    await using db = await open();
    const storage = await db.connect();
    expect(await storage.getMaxStorageId()).toBe(0);
    const stored = await storage.storeEvents([logEntry("r"), logEntry("r")]);
    expect(await storage.getMaxStorageId()).toBe(stored[1]!.storageId);
  });

  it("stores a batch larger than one insert statement with ids in entry order", async () => {
    await using db = await open();
    const storage = await db.connect();
    const entries = Array.from({ length: 1_234 }, (_, i) => logEntry("r", i, `m${i}`));
    const stored = await storage.storeEvents(entries);
    expect(stored.map((r) => r.entry.message)).toEqual(entries.map((e) => e.message));
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.storageId).toBe(stored[i - 1]!.storageId + 1);
    const read = await storage.getEventRecords({ eventType: EventType.LOG, ascending: true });
    expect(read.map((r) => r.entry.message)).toEqual(entries.map((e) => e.message));
  });

  it("returns event records newest first by default and oldest first when ascending", async () => {
    await using db = await open();
    const storage = await db.connect();
    const stored = await storage.storeEvents([logEntry("r", 1), logEntry("r", 2), logEntry("r", 3)]);
    expect(ids(await storage.getEventRecords({ eventType: EventType.LOG }))).toEqual(ids(stored).reverse());
    expect(ids(await storage.getEventRecords({ eventType: EventType.LOG, ascending: true }))).toEqual(ids(stored));
    expect(ids(await storage.getEventRecords({ eventType: EventType.LOG, ascending: false }))).toEqual(ids(stored).reverse());
  });

  it("filters event records by event type", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [log, mat] = await storage.storeEvents([logEntry("r"), materializationEntry("r", "a")]);
    expect(await storage.getEventRecords({ eventType: EventType.LOG })).toEqual([log]);
    expect(await storage.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION })).toEqual([mat]);
    expect(await storage.getEventRecords({ eventType: EventType.RUN_SUCCESS })).toEqual([]);
  });

  it("treats afterCursor and beforeCursor as strict bounds", async () => {
    await using db = await open();
    const storage = await db.connect();
    const s = ids(await storage.storeEvents([1, 2, 3, 4, 5].map((t) => logEntry("r", t))));
    const q = async (f: Omit<EventRecordsFilter, "eventType">) => ids(await storage.getEventRecords({ eventType: EventType.LOG, ascending: true, ...f }));
    expect(await q({ afterCursor: s[1]! })).toEqual(s.slice(2));
    expect(await q({ beforeCursor: s[3]! })).toEqual(s.slice(0, 3));
    expect(await q({ afterCursor: s[0]!, beforeCursor: s[4]! })).toEqual(s.slice(1, 4));
    expect(await q({ afterCursor: s[2]!, beforeCursor: s[3]! })).toEqual([]);
    expect(await q({ afterCursor: s[4]! })).toEqual([]);
  });

  it("treats afterTimestamp and beforeTimestamp as strict bounds", async () => {
    await using db = await open();
    const storage = await db.connect();
    const s = ids(await storage.storeEvents([100, 200, 300, 400].map((t) => logEntry("r", t))));
    const q = async (f: Omit<EventRecordsFilter, "eventType">) => ids(await storage.getEventRecords({ eventType: EventType.LOG, ascending: true, ...f }));
    expect(await q({ afterTimestamp: 200 })).toEqual(s.slice(2));
    expect(await q({ beforeTimestamp: 300 })).toEqual(s.slice(0, 2));
    expect(await q({ afterTimestamp: 100, beforeTimestamp: 400 })).toEqual(s.slice(1, 3));
    expect(await q({ afterTimestamp: 400 })).toEqual([]);
  });

  it("filters event records by run ids, an empty list matching none", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [a, b, c] = await storage.storeEvents([logEntry("ra"), logEntry("rb"), logEntry("rc")]);
    expect(await storage.getEventRecords({ eventType: EventType.LOG, runIds: ["ra", "rc"] })).toEqual([c, a]);
    expect(await storage.getEventRecords({ eventType: EventType.LOG, runIds: ["rb"] })).toEqual([b]);
    expect(await storage.getEventRecords({ eventType: EventType.LOG, runIds: [] })).toEqual([]);
  });

  it("filters materializations by asset key and keeps the whole entry", async () => {
    await using db = await open();
    const storage = await db.connect();
    const stored = await storage.storeEvents([
      materializationEntry("r", "wh/orders", 1),
      materializationEntry("r", "wh/users", 2),
      materializationEntry("r", "wh/orders", 3),
      materializationEntry("r", "wh", 4),
    ]);
    const orders = await storage.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: "wh/orders" });
    expect(orders).toEqual([stored[2], stored[0]]);
    expect(orders[0]!.entry).toEqual(materializationEntry("r", "wh/orders", 3));
    const newest = await storage.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: "wh/orders", limit: 1 });
    expect(newest).toEqual([stored[2]]);
    expect(await storage.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: "wh" })).toEqual([stored[3]]);
    expect(await storage.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: "nope" })).toEqual([]);
  });

  it("returns at most limit records from the requested end", async () => {
    await using db = await open();
    const storage = await db.connect();
    const s = ids(await storage.storeEvents([1, 2, 3, 4].map((t) => logEntry("r", t))));
    expect(ids(await storage.getEventRecords({ eventType: EventType.LOG, limit: 2 }))).toEqual([s[3], s[2]]);
    expect(ids(await storage.getEventRecords({ eventType: EventType.LOG, limit: 2, ascending: true }))).toEqual([s[0], s[1]]);
    expect(ids(await storage.getEventRecords({ eventType: EventType.LOG, limit: 2, afterCursor: s[0]!, ascending: true }))).toEqual([s[1], s[2]]);
  });

  it("returns a run's events in storage order after a storage id", async () => {
    await using db = await open();
    const storage = await db.connect();
    const stored = await storage.storeEvents([logEntry("r1", 1), materializationEntry("r2", "a"), logEntry("r1", 2), logEntry("r1", 3)]);
    const r1 = [stored[0]!, stored[2]!, stored[3]!];
    expect(await storage.getRunEvents("r1")).toEqual(r1);
    expect(await storage.getRunEvents("r1", { afterStorageId: stored[0]!.storageId })).toEqual(r1.slice(1));
    expect(await storage.getRunEvents("r1", { limit: 2 })).toEqual(r1.slice(0, 2));
    expect(await storage.getRunEvents("nobody")).toEqual([]);
  });

  it.skipIf(!capabilities.deterministicPlans)(
    "finds the newest materialization of one asset key through the (asset_key, event_type, id) index",
    async () => {
      await using db = await open();
      const storage = await db.connect();
      await storage.storeEvents([materializationEntry("r", "a"), logEntry("r")]);
      const plan = await storage.explainEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: "a", limit: 1 });
      expect(plan).toContain("event_logs_asset_key_event_type_id");
      expect(plan).not.toMatch(/TEMP B-TREE|Sort/i);
    },
  );
}
