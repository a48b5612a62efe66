import type { Kysely, Selectable } from "kysely";
import type { Tick, TickHeader, TickStatus } from "../../model/index.js";
import type { NewTick } from "../storage.js";
import type { Database, TickBody, TicksTable } from "../schema.js";

type Db = Kysely<Database>;

function toTick(row: Selectable<TicksTable>): Tick {
  const body = JSON.parse(row.body) as TickBody;
  return {
    id: row.id,
    sensorName: row.sensor_name,
    status: row.status,
    timestamp: row.timestamp,
    endTimestamp: row.end_timestamp,
    runIds: body.runIds,
    runKeys: body.runKeys,
    dedupedRunKeys: body.dedupedRunKeys,
    skipReason: body.skipReason,
    error: body.error,
    cursorBefore: body.cursorBefore,
    cursor: body.cursor,
    ...(body.totals === undefined ? {} : { totals: body.totals }),
  };
}

/**
 * Inserts a STARTED tick whose cursor is still `cursorBefore`. Returns: the stored tick.
 */
export async function insertTick(db: Db, tick: NewTick & { cursorBefore: string | null }, lease?: { owner: string; token: number }): Promise<Tick> {
  const body: TickBody = {
    runIds: [],
    runKeys: [],
    dedupedRunKeys: [],
    skipReason: null,
    error: null,
    cursorBefore: tick.cursorBefore,
    cursor: tick.cursorBefore,
  };
  const row = await db
    .insertInto("ticks")
    .values({
      sensor_name: tick.sensorName,
      status: "STARTED",
      timestamp: tick.timestamp,
      end_timestamp: null,
      body: JSON.stringify(body),
      owner: lease?.owner ?? null,
      lease_token: lease?.token ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTick(row);
}

/**
 * Params: a tick id; `forUpdate` locks the row until the transaction ends (where supported).
 * Returns: the tick, or null when unknown.
 */
export async function selectTick(db: Db, tickId: number, forUpdate = false): Promise<Tick | null> {
  let q = db.selectFrom("ticks").selectAll().where("id", "=", tickId);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row === undefined ? null : toTick(row);
}

/**
 * The tick's `TickBody` as JSON. A tick whose keys were all used lists the same (up to 100,000) keys
 * in `runKeys` and `dedupedRunKeys`: that list is serialized once and written twice.
 */
function tickBodyJson(tick: Tick): string {
  const runKeys = JSON.stringify(tick.runKeys);
  const dedupedRunKeys = sameStrings(tick.dedupedRunKeys, tick.runKeys) ? runKeys : JSON.stringify(tick.dedupedRunKeys);
  // The fields of TickBody, in its order (the reader parses the JSON: order is only cosmetic).
  const rest: Omit<TickBody, "runIds" | "runKeys" | "dedupedRunKeys"> = {
    skipReason: tick.skipReason,
    error: tick.error,
    cursorBefore: tick.cursorBefore,
    cursor: tick.cursor,
    ...(tick.totals === undefined ? {} : { totals: tick.totals }),
  };
  return `{"runIds":${JSON.stringify(tick.runIds)},"runKeys":${runKeys},"dedupedRunKeys":${dedupedRunKeys},${JSON.stringify(rest).slice(1)}`;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Overwrites a tick's status, end time and body with `tick`'s (its lists already capped, see
 * `capTickLists`). Returns: nothing.
 */
export async function updateTickRow(db: Db, tick: Tick): Promise<void> {
  await db
    .updateTable("ticks")
    .set({ status: tick.status, end_timestamp: tick.endTimestamp, body: tickBodyJson(tick) })
    .where("id", "=", tick.id)
    .execute();
}

/**
 * Params: a sensor name; optional `statuses`, strict `beforeTimestamp`, `limit`.
 * Returns: its ticks, newest first (timestamp, then id).
 */
export async function selectTicks(
  db: Db,
  sensorName: string,
  options: { limit?: number; statuses?: readonly TickStatus[]; beforeTimestamp?: number } = {},
): Promise<Tick[]> {
  if (options.statuses !== undefined && options.statuses.length === 0) return [];
  let q = db.selectFrom("ticks").selectAll().where("sensor_name", "=", sensorName);
  if (options.statuses !== undefined) q = q.where("status", "in", options.statuses);
  if (options.beforeTimestamp !== undefined) q = q.where("timestamp", "<", options.beforeTimestamp);
  q = q.orderBy("timestamp", "desc").orderBy("id", "desc");
  if (options.limit !== undefined) q = q.limit(options.limit);
  const rows = await q.execute();
  return rows.map(toTick);
}

/**
 * Deletes a sensor's ticks with `status` and `timestamp < before`. Returns: how many were deleted.
 */
export async function deleteTicks(db: Db, sensorName: string, status: TickStatus, before: number): Promise<number> {
  const result = await db
    .deleteFrom("ticks")
    .where("sensor_name", "=", sensorName)
    .where("status", "=", status)
    .where("timestamp", "<", before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Params: sensor names. Returns: the newest tick of each that has one, without its body (one index
 * seek per sensor, nothing parsed): what pollers and status lists need.
 */
export async function selectLatestTickHeaders(db: Db, sensorNames: readonly string[]): Promise<Map<string, TickHeader>> {
  const out = new Map<string, TickHeader>();
  for (const sensorName of sensorNames) {
    const row = await db
      .selectFrom("ticks")
      .select(["id", "sensor_name", "status", "timestamp", "end_timestamp"])
      .where("sensor_name", "=", sensorName)
      .orderBy("timestamp", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (row !== undefined) out.set(sensorName, { id: row.id, sensorName: row.sensor_name, status: row.status, timestamp: row.timestamp, endTimestamp: row.end_timestamp });
  }
  return out;
}
