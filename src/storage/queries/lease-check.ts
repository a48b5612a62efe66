import { sql, type Kysely, type Selectable } from "kysely";
import { LeaseLostError } from "../../errors/index.js";
import { LeaseKind, type StoredSensorState } from "../../model/index.js";
import type { Database, SensorStatesTable } from "../schema.js";
import type { LeaseProof } from "../storage.js";
import { toSensorState, type SensorStateColumns } from "./sensors.js";

// Both statements here run twice per tick of every sensor, so they are written as SQL text: it
// skips the query builder's per-call parse and compile, which costs more than SQLite running them.

/**
 * Checks, inside the caller's transaction, that `proof` still holds the sensor's lease, locking the
 * lease row (where row locks exist) so a takeover waits until this transaction ends, and reads the
 * sensor's state in the same statement (a tick reads both; one round trip serves). Throws
 * `LeaseLostError` naming the sensor, the daemon and the current holder; nothing is written then.
 * Returns: the sensor's stored state, or null when it has none.
 */
export async function assertLeaseHeld(db: Kysely<Database>, sensorName: string, proof: LeaseProof, rowLocks: boolean, action: string): Promise<StoredSensorState | null> {
  type Row = { owner: string | null; token: number | string; state_name: string | null } & Omit<SensorStateColumns, "name">;
  const { rows } = await sql<Row>`
    select l.owner, l.token, s.name as state_name, s.status, s.status_source, s.cursor,
           s.last_tick_timestamp, s.last_tick_start_timestamp, s.last_run_key
    from leases l left join sensor_states s on s.name = l.name
    where l.kind = ${LeaseKind.SENSOR} and l.name = ${sensorName}
    ${rowLocks ? sql`for update of l` : sql``}`.execute(db);
  const row = rows[0];
  if (row === undefined || row.owner !== proof.owner || Number(row.token) !== proof.token) {
    const holder = row === undefined || row.owner === null ? "nobody holds it now" : `it is held by ${row.owner} with token ${Number(row.token)}`;
    throw new LeaseLostError(
      `Sensor "${sensorName}": daemon ${proof.owner} no longer holds its lease (token ${proof.token}; ${holder}), so it did not ${action}; the sensor's current owner ticks it.`,
    );
  }
  return row.state_name === null ? null : toSensorState({ ...row, name: row.state_name });
}

/**
 * Stores a tick's start on the sensor's state row only if `proof` holds the sensor's lease, in one
 * statement that also reads the state back. Only for storage without row locks (SQLite), where a
 * write transaction excludes every other writer, so the lease cannot change before the commit.
 * Returns: the state after the write, or undefined when nothing was written (the lease is not held,
 * or the sensor has no state row): the caller then takes the general path, which tells them apart.
 */
export async function recordTickStartIfLeaseHeld(db: Kysely<Database>, sensorName: string, proof: LeaseProof, timestamp: number, now: number): Promise<StoredSensorState | undefined> {
  const { rows } = await sql<Selectable<SensorStatesTable>>`
    update sensor_states set last_tick_start_timestamp = ${timestamp}, updated_at = ${now}
    where name = ${sensorName} and exists (
      select 1 from leases where kind = ${LeaseKind.SENSOR} and name = ${sensorName} and owner = ${proof.owner} and token = ${proof.token})
    returning *`.execute(db);
  return rows[0] === undefined ? undefined : toSensorState(rows[0]);
}
