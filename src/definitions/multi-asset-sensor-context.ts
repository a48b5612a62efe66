import { AssetKey, EventType, type AssetKeyLike, type EventLogRecord } from "../model/index.js";
import type { InstanceReader } from "./instance-reader.js";
import { describeValue } from "./run-request.js";
import { SensorEvaluationContext, shareState } from "./sensor-context.js";
import { sensorMisuse } from "./sensor-errors.js";

/**
 * The context of a `multiAssetSensor`: a sensor context plus reads of the monitored assets'
 * unconsumed materializations and the means to mark them consumed (`advanceCursor`,
 * `advanceAllCursors`). The cursor itself is managed by Vigil.
 *
 * @example
 * const latest = await context.latestMaterializationRecordsByKey();
 * if (latest["a"] && latest["b"]) {
 *   context.advanceAllCursors();
 *   return new RunRequest();
 * }
 * @see docs/sensors.md
 */
export class MultiAssetSensorEvaluationContext extends SensorEvaluationContext {
  /** The monitored asset keys. */
  readonly monitoredAssets: readonly AssetKey[];
  readonly #sensorName: string;
  readonly #instance: InstanceReader;
  /** Per asset key string: the storage id of the last consumed materialization, as the tick started. */
  readonly #consumed: ReadonlyMap<string, number>;
  readonly #advanced = new Map<string, number>();
  readonly #pending: Promise<void>[] = [];
  #advancedAny = false;

  /** @internal Built by the multi-asset sensor's evaluation. */
  constructor(base: SensorEvaluationContext, init: { sensorName: string; instance: InstanceReader; monitoredAssets: readonly AssetKey[]; consumed: ReadonlyMap<string, number> }) {
    super();
    shareState(this, base);
    this.#sensorName = init.sensorName;
    this.#instance = init.instance;
    this.monitoredAssets = init.monitoredAssets;
    this.#consumed = init.consumed;
  }

  /**
   * The newest unconsumed materialization of each monitored key (or of `keys`), `null` where there
   * is none, keyed by asset key string (`"a/b"`).
   */
  async latestMaterializationRecordsByKey(keys?: readonly AssetKeyLike[]): Promise<Record<string, EventLogRecord | null>> {
    const wanted = keys === undefined ? this.monitoredAssets : keys.map((k) => this.#monitored(k, "latestMaterializationRecordsByKey"));
    const entries = await Promise.all(
      wanted.map(async (key) => {
        const [record] = await this.#instance.getEventRecords({
          eventType: EventType.ASSET_MATERIALIZATION,
          assetKey: key,
          afterCursor: this.#consumed.get(key.toString()),
          limit: 1,
        });
        return [key.toString(), record ?? null] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /** The unconsumed materializations of `key`, oldest first, at most `limit`. */
  async materializationRecordsForKey(key: AssetKeyLike, limit?: number): Promise<EventLogRecord[]> {
    const assetKey = this.#monitored(key, "materializationRecordsForKey");
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit <= 0)) {
      throw sensorMisuse(this.#sensorName, `materializationRecordsForKey() was given limit ${describeValue(limit)}; give a positive integer or leave it out.`);
    }
    return this.#instance.getEventRecords({
      eventType: EventType.ASSET_MATERIALIZATION,
      assetKey,
      afterCursor: this.#consumed.get(assetKey.toString()),
      ascending: true,
      ...(limit === undefined ? {} : { limit }),
    });
  }

  /**
   * Marks materializations consumed, up to and including the given record of each key
   * (`{ "a/b": record }`); they are not returned again. `null` entries are ignored.
   */
  advanceCursor(records: Readonly<Record<string, EventLogRecord | null | undefined>>): void {
    if (typeof records !== "object" || records === null) {
      throw sensorMisuse(this.#sensorName, `advanceCursor() was given ${describeValue(records)}; give an object such as { "a/b": record }.`);
    }
    for (const [keyString, record] of Object.entries(records)) {
      const key = this.#monitored(keyString, "advanceCursor").toString();
      if (record === null || record === undefined) continue;
      if (typeof record !== "object" || !Number.isSafeInteger((record as { storageId?: unknown }).storageId)) {
        throw sensorMisuse(this.#sensorName, `advanceCursor() was given ${describeValue(record)} for asset "${key}", which is not an EventLogRecord; pass a record read from the instance.`);
      }
      this.#advance(key, record.storageId);
    }
  }

  /** Marks every monitored key's materializations consumed, up to its newest (looked up as needed). */
  advanceAllCursors(): Promise<void> {
    this.#advancedAny = true;
    const done = Promise.all(
      this.monitoredAssets.map(async (key) => {
        const [newest] = await this.#instance.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: key, limit: 1 });
        if (newest !== undefined) this.#advance(key.toString(), newest.storageId);
      }),
    ).then(() => undefined);
    this.#pending.push(done);
    return done;
  }

  /** @internal Waits for `advanceAllCursors` lookups; returns whether anything was advanced and the new cursor. */
  async settle(): Promise<{ advanced: boolean; cursor: string }> {
    await Promise.all(this.#pending);
    const out: Record<string, number> = {};
    for (const key of this.monitoredAssets) {
      const k = key.toString();
      out[k] = Math.max(this.#consumed.get(k) ?? -1, this.#advanced.get(k) ?? -1);
    }
    return { advanced: this.#advancedAny, cursor: JSON.stringify(out) };
  }

  #advance(key: string, storageId: number): void {
    this.#advancedAny = true;
    this.#advanced.set(key, Math.max(this.#advanced.get(key) ?? -1, storageId));
  }

  #monitored(key: AssetKeyLike, method: string): AssetKey {
    let assetKey: AssetKey;
    try {
      assetKey = AssetKey.from(key);
    } catch {
      throw sensorMisuse(this.#sensorName, `${method}() was given ${describeValue(key)}, which is not an asset key.`);
    }
    if (!this.monitoredAssets.some((k) => k.equals(assetKey))) {
      throw sensorMisuse(
        this.#sensorName,
        `${method}() was given asset "${assetKey.toString()}", which the sensor does not monitor; monitored assets: ${this.monitoredAssets.map((k) => `"${k.toString()}"`).join(", ")}.`,
      );
    }
    return assetKey;
  }
}
