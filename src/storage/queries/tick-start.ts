import type { Kysely } from "kysely";
import { TickStatus, type StoredSensorState, type Tick } from "../../model/index.js";
import type { Database } from "../schema.js";
import type { StartTick, StartedTick } from "../storage.js";
import { assertLeaseHeld, recordTickStartIfLeaseHeld } from "./lease-check.js";
import { recordTickStart, selectSensorState } from "./sensors.js";
import { insertTick, selectTicks, updateTickRow } from "./ticks.js";

/**
 * Starts a tick in one transaction (call inside one):
 * 1. with a lease proof, checks it (`LeaseLostError` otherwise; nothing written) and closes the
 *    sensor's other `STARTED` ticks as `SKIPPED`: under a held lease no other tick of this sensor can
 *    be in flight or ever commit (an older owner's commit fails its lease check);
 * 2. reads the sensor's state: its cursor becomes the tick's `cursorBefore`, so the evaluation starts
 *    from what the previous owner committed last;
 * 3. inserts the `STARTED` tick (with the lease's owner and token) and stores its timestamp as the
 *    state's `lastTickStartTimestamp`.
 * Params: the request; `now` (ms) for `updated_at`; `rowLocks`. Returns: the tick, the state, the ticks closed.
 */
export async function startTickRows(db: Kysely<Database>, request: StartTick, now: number, rowLocks: boolean): Promise<StartedTick> {
  const { sensorName, lease } = request;
  if (lease !== undefined && !rowLocks && request.closeDangling === false) {
    // The common tick on SQLite: lease check, state read and start record in one statement.
    const state = await recordTickStartIfLeaseHeld(db, sensorName, lease, request.timestamp, now);
    if (state !== undefined) {
      const tick = await insertTick(db, { sensorName, timestamp: request.timestamp, cursorBefore: state.cursor }, lease);
      return { tick, state, closed: [] };
    }
  }
  const closed: Tick[] = [];
  let state: StoredSensorState | null;
  if (lease === undefined) {
    state = await selectSensorState(db, sensorName);
  } else {
    state = await assertLeaseHeld(db, sensorName, lease, rowLocks, "start a tick");
  }
  // Only under a held lease: then no other tick of this sensor can still be in flight or commit.
  if (lease !== undefined && request.closeDangling !== false) {
    for (const dangling of await selectTicks(db, sensorName, { statuses: [TickStatus.STARTED] })) {
      const ended: Tick = {
        ...dangling,
        status: TickStatus.SKIPPED,
        endTimestamp: request.timestamp,
        skipReason: `Tick ${dangling.id} was interrupted before it committed (its daemon stopped, lost storage or lost the sensor's lease); nothing of it was stored, and the sensor is evaluated again from its previous cursor.`,
      };
      await updateTickRow(db, ended);
      closed.push(ended);
    }
  }
  const tick = await insertTick(db, { sensorName, timestamp: request.timestamp, cursorBefore: state?.cursor ?? null }, lease);
  await recordTickStart(db, sensorName, request.timestamp, now);
  return { tick, state: state === null ? null : { ...state, lastTickStartTimestamp: request.timestamp }, closed };
}
