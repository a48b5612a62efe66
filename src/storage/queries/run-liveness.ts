import type { Kysely } from "kysely";
import { RunStatus, type ProcessRegistration } from "../../model/index.js";
import type { Database } from "../schema.js";
import type { InFlightRun, RunHeartbeatAnswer } from "../storage.js";
import { upsertProcess } from "./processes.js";
import { IN_FLIGHT_STATUSES } from "./run-claims.js";
import { addRunTags } from "./run-tags.js";
import { toRun } from "./runs.js";

type Db = Kysely<Database>;

/**
 * Records the process that will execute a run, before the run is handed to it: `worker_id`, a first
 * heartbeat at `now` (so the heartbeat timeout runs from the hand-off) and the worker's tags.
 * Call inside a transaction. Returns: the run's tags after the change, or null for an unknown run.
 */
export async function assignRunWorker(
  db: Db,
  runId: string,
  workerId: string,
  tags: Readonly<Record<string, string>>,
  now: number,
  rowLocks: boolean,
): Promise<Record<string, string> | null> {
  const merged = await addRunTags(db, runId, tags, rowLocks, now);
  if (merged === null) return null;
  await db.updateTable("runs").set({ worker_id: workerId, heartbeat_at: now }).where("run_id", "=", runId).execute();
  return merged;
}

/**
 * One heartbeat of a process executing runs: renews its registration (alive until `now + ttlMs`)
 * and the heartbeat of each of `runIds` still in flight (claimed by it: `worker_id` is set to it).
 * Call inside a transaction. Returns: which of the runs are CANCELING (stop them) and which have
 * ended meanwhile (failed by the monitor or canceled with force: stop them without writing more).
 */
export async function heartbeatRuns(db: Db, process: ProcessRegistration, runIds: readonly string[], now: number, ttlMs: number): Promise<RunHeartbeatAnswer> {
  await upsertProcess(db, process, now, ttlMs);
  if (runIds.length === 0) return { now, canceling: [], ended: [] };
  await db
    .updateTable("runs")
    .set({ heartbeat_at: now, worker_id: process.id })
    .where("run_id", "in", runIds)
    .where("status", "in", [...IN_FLIGHT_STATUSES, RunStatus.NOT_STARTED, RunStatus.QUEUED])
    .execute();
  const rows = await db.selectFrom("runs").select(["run_id", "status"]).where("run_id", "in", runIds).execute();
  return {
    now,
    canceling: rows.filter((r) => r.status === RunStatus.CANCELING).map((r) => r.run_id),
    ended: rows.filter((r) => r.status === RunStatus.SUCCESS || r.status === RunStatus.FAILURE || r.status === RunStatus.CANCELED).map((r) => r.run_id),
  };
}

/** Returns: every run STARTING, STARTED or CANCELING, with who claimed and who executes it, oldest first. */
export async function selectInFlightRuns(db: Db): Promise<InFlightRun[]> {
  const rows = await db.selectFrom("runs").selectAll().where("status", "in", IN_FLIGHT_STATUSES).orderBy("id").execute();
  return rows.map((row) => ({
    run: toRun(row),
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at === null ? null : Number(row.claimed_at),
    workerId: row.worker_id,
    heartbeatAt: row.heartbeat_at === null ? null : Number(row.heartbeat_at),
    queueTask: row.queue_task,
  }));
}
