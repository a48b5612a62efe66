import { sql, type Kysely } from "kysely";
import { EventType, reviveEventLogEntry, type EventLogEntry, type EventLogRecord } from "../../model/index.js";
import type { Database } from "../schema.js";

type Db = Kysely<Database>;

/** One materialized asset and its newest materialization (what `getAssetKeys` returns). */
export interface AssetKeyRecord {
  /** String form `"a/b"`. */
  assetKey: string;
  lastMaterialization: EventLogRecord;
}

/**
 * The query behind `getAssetKeys` (exported so tests and benchmarks can EXPLAIN it). A loose index
 * scan on (asset_key, event_type, id): a recursive walk from one distinct asset key to the next,
 * each step one seek, then per key a seek for its newest materialization. It costs a few seeks per
 * asset key, however many events each asset has (a GROUP BY would read every asset event).
 */
export function assetKeysQuery(db: Db) {
  return sql<{ asset_key: string; id: number | string; body: string }>`
    with recursive keys(k) as (
      select min(asset_key) from event_logs where asset_key is not null
      union all
      select (select min(e.asset_key) from event_logs e where e.asset_key > keys.k) from keys where keys.k is not null
    ), latest(k, id) as (
      select keys.k, (select max(m.id) from event_logs m where m.asset_key = keys.k and m.event_type = ${EventType.ASSET_MATERIALIZATION})
      from keys where keys.k is not null
    )
    select latest.k as asset_key, event_logs.id as id, event_logs.body as body
    from latest join event_logs on event_logs.id = latest.id`;
}

/** Returns: every asset key with a materialization and its newest one, ordered by key (code points). */
export async function selectAssetKeys(db: Db): Promise<AssetKeyRecord[]> {
  const { rows } = await assetKeysQuery(db).execute(db);
  return rows
    .map((row) => ({ assetKey: row.asset_key, lastMaterialization: { storageId: Number(row.id), entry: reviveEventLogEntry(JSON.parse(row.body) as EventLogEntry) } }))
    .sort((a, b) => (a.assetKey < b.assetKey ? -1 : a.assetKey > b.assetKey ? 1 : 0));
}
