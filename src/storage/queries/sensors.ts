import type { Insertable, Kysely, Selectable } from "kysely";
import type { StoredSensorState } from "../../model/index.js";
import type { SensorStateUpdate } from "../storage.js";
import type { Database, SensorStatesTable } from "../schema.js";

type Db = Kysely<Database>;

/** The columns a `StoredSensorState` is read from. */
export type SensorStateColumns = Pick<
  Selectable<SensorStatesTable>,
  "name" | "status" | "status_source" | "cursor" | "last_tick_timestamp" | "last_tick_start_timestamp" | "last_run_key"
>;

export function toSensorState(row: SensorStateColumns): StoredSensorState {
  return {
    name: row.name,
    status: row.status,
    statusSource: row.status_source,
    cursor: row.cursor,
    lastTickTimestamp: row.last_tick_timestamp,
    lastTickStartTimestamp: row.last_tick_start_timestamp,
    lastRunKey: row.last_run_key,
  };
}

/**
 * Params: a sensor name. Returns: its stored state, or null when none is stored.
 */
export async function selectSensorState(db: Db, name: string): Promise<StoredSensorState | null> {
  const row = await db.selectFrom("sensor_states").selectAll().where("name", "=", name).executeTakeFirst();
  return row === undefined ? null : toSensorState(row);
}

/**
 * Returns: every stored sensor state, by name.
 */
export async function selectSensorStates(db: Db): Promise<StoredSensorState[]> {
  const rows = await db.selectFrom("sensor_states").selectAll().orderBy("name").execute();
  return rows.map(toSensorState);
}

/**
 * Inserts or updates a sensor's state in one statement (`ON CONFLICT DO UPDATE`), so concurrent
 * first writers cannot collide. Omitted fields keep their value; a new row gets STOPPED /
 * "default" / nulls. Params: the update; `now` (ms). Returns: the state after the write.
 */
export async function upsertSensorState(db: Db, update: SensorStateUpdate, now: number): Promise<StoredSensorState> {
  const changes = {
    ...(update.status === undefined ? {} : { status: update.status }),
    ...(update.statusSource === undefined ? {} : { status_source: update.statusSource }),
    ...(update.cursor === undefined ? {} : { cursor: update.cursor }),
    ...(update.lastTickTimestamp === undefined ? {} : { last_tick_timestamp: update.lastTickTimestamp }),
    ...(update.lastTickStartTimestamp === undefined ? {} : { last_tick_start_timestamp: update.lastTickStartTimestamp }),
    ...(update.lastRunKey === undefined ? {} : { last_run_key: update.lastRunKey }),
    updated_at: now,
  };
  const row = await sensorStateUpsert(db, update.name, changes)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSensorState(row);
}

/**
 * Stores the start of a sensor's newest tick on its state row, if it has one (a tick does not
 * create a state). Params: the sensor name; the tick's timestamp; `now` (ms).
 */
export async function recordTickStart(db: Db, name: string, timestamp: number, now: number): Promise<void> {
  await db.updateTable("sensor_states").set({ last_tick_start_timestamp: timestamp, updated_at: now }).where("name", "=", name).execute();
}

/**
 * The one upsert of a sensor's state row: inserts it with defaults (STOPPED, source "default",
 * every other field null) overlaid by `changes`, or applies `changes` to the existing row.
 * Params: the row's name and the columns to set. Returns: the query, to run or to return from.
 */
export function sensorStateUpsert(db: Db, name: string, changes: Partial<Insertable<SensorStatesTable>> & { updated_at: number }) {
  return db
    .insertInto("sensor_states")
    .values({
      name,
      status: "STOPPED",
      status_source: "default",
      cursor: null,
      last_tick_timestamp: null,
      last_tick_start_timestamp: null,
      last_run_key: null,
      last_sensor_start_timestamp: null,
      owner: null,
      lease_expires_at: null,
      ...changes,
    })
    .onConflict((oc) => oc.column("name").doUpdateSet(changes));
}
