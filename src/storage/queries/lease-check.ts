import type { Kysely } from "kysely";
import { LeaseLostError } from "../../errors/index.js";
import { LeaseKind } from "../../model/index.js";
import type { Database } from "../schema.js";
import type { LeaseProof } from "../storage.js";
import { selectLease } from "./leases.js";


/**
 * Checks, inside the caller's transaction, that `proof` still holds the sensor's lease, and locks
 * the lease row (where row locks exist) so a takeover waits until this transaction ends.
 * Throws `LeaseLostError` naming the sensor, the daemon and the current holder; nothing is written then.
 */
export async function assertLeaseHeld(db: Kysely<Database>, sensorName: string, proof: LeaseProof, rowLocks: boolean, action: string): Promise<void> {
  const lease = await selectLease(db, { kind: LeaseKind.SENSOR, name: sensorName }, rowLocks);
  if (lease !== null && lease.owner === proof.owner && lease.token === proof.token) return;
  const holder = lease === null || lease.owner === null ? "nobody holds it now" : `it is held by ${lease.owner} with token ${lease.token}`;
  throw new LeaseLostError(
    `Sensor "${sensorName}": daemon ${proof.owner} no longer holds its lease (token ${proof.token}; ${holder}), so it did not ${action}; the sensor's current owner ticks it.`,
  );
}
