import { expect, it } from "vitest";
import { AssetKey, EventType } from "../../model/index.js";
import { logEntry, materializationEntry, type DescribeStorageOptions } from "./fixtures.js";

/** `getAssetKeys`: every materialized asset key with its newest materialization. */
export function assetCases({ open }: DescribeStorageOptions): void {
  it("lists every materialized asset key with its newest materialization, by key", async () => {
    await using db = await open();
    const storage = await db.connect();
    expect(await storage.getAssetKeys()).toEqual([]);
    const first = await storage.storeEvents([materializationEntry("r1", "b", 1), materializationEntry("r1", "a/x", 2), logEntry("r1", 3)]);
    // An asset event that is not a materialization does not make its key a materialized asset.
    await storage.storeEvents([{ ...logEntry("r2", 4), event: { eventType: EventType.LOG, assetKey: new AssetKey(["seen"]) } }]);
    const newer = await storage.storeEvents([materializationEntry("r2", "b", 5), materializationEntry("r2", "a", 6)]);
    const keys = await storage.getAssetKeys();
    expect(keys.map((k) => [k.assetKey, k.lastMaterialization.storageId])).toEqual([
      ["a", newer[1]!.storageId],
      ["a/x", first[1]!.storageId],
      ["b", newer[0]!.storageId],
    ]);
    expect(keys[2]!.lastMaterialization).toEqual(newer[0]);
  });

  it("reads asset events back with AssetKeys (entry.event.assetKey.path), stored as their paths", async () => {
    await using db = await open();
    const storage = await db.connect();
    await storage.storeEvents([materializationEntry("r1", "warehouse/orders", 1)]);
    const [record] = await storage.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: "warehouse/orders" });
    const event = record?.entry.event;
    expect(event?.assetKey).toBeInstanceOf(AssetKey);
    expect(event?.assetKey?.path).toEqual(["warehouse", "orders"]);
    expect(event?.materialization?.assetKey).toBeInstanceOf(AssetKey);
    expect((await storage.getAssetKeys())[0]?.lastMaterialization.entry.event?.assetKey?.path).toEqual(["warehouse", "orders"]);
    // As JSON (the HTTP API, the stored body) a key is its path.
    expect(JSON.parse(JSON.stringify(record?.entry)).event.assetKey).toEqual(["warehouse", "orders"]);
  });

  it("finds every key among many, however many events each has", async () => {
    await using db = await open();
    const storage = await db.connect();
    const entries = Array.from({ length: 600 }, (_, i) => materializationEntry(`r${i % 7}`, `k${String(i % 150).padStart(3, "0")}`, i));
    await storage.storeEvents(entries);
    const keys = await storage.getAssetKeys();
    expect(keys).toHaveLength(150);
    expect(keys[0]).toMatchObject({ assetKey: "k000", lastMaterialization: { entry: { timestamp: 450 } } });
  });
}
