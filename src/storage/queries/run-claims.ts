import type { Kysely } from "kysely";
import {
  ClaimPlan,
  EventType,
  fullLimitsFor,
  isUnlimited,
  RunStatus,
  type ConcurrencyLimits,
  type EventLogEntry,
  type InFlightCounts,
  type Run,
  type RunQueueInfo,
} from "../../model/index.js";
import type { Database } from "../schema.js";
import type { RunClaim } from "../storage.js";
import { toRun } from "./runs.js";

type Db = Kysely<Database>;

/** The statuses that hold a concurrency slot. */
export const IN_FLIGHT_STATUSES: readonly RunStatus[] = [RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING];

/** Queued runs read per statement while looking for runs that fit. */
const QUEUED_PAGE = 200;

/**
 * Params: the limits. Returns: runs in flight in all and per tag limit (a count each, on the
 * (status, id) and (key, value) indexes; nothing counted for limits that are not set).
 */
export async function selectInFlightCounts(db: Db, limits: ConcurrencyLimits): Promise<InFlightCounts> {
  const total =
    limits.maxConcurrentRuns < 0
      ? 0
      : Number(
          (await db.selectFrom("runs").select((eb) => eb.fn.countAll<number | string>().as("n")).where("status", "in", IN_FLIGHT_STATUSES).executeTakeFirstOrThrow()).n,
        );
  const byTagLimit: number[] = [];
  for (const limit of limits.tagConcurrencyLimits) {
    let q = db
      .selectFrom("run_tags")
      .innerJoin("runs", "runs.run_id", "run_tags.run_id")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("run_tags.key", "=", limit.key)
      .where("runs.status", "in", IN_FLIGHT_STATUSES);
    if (limit.value !== undefined) q = q.where("run_tags.value", "=", limit.value);
    byTagLimit.push(Number((await q.executeTakeFirstOrThrow()).n));
  }
  return { total, byTagLimit };
}

/**
 * Claims queued runs: call inside a transaction holding the run-queue lock and the event-append
 * lock, so counts and claims of every claimer run one after another and no limit is ever exceeded.
 * Reads queued runs oldest first (pages of 200, row-locked where supported), takes those that fit
 * the limits up to `claim.limit`, moves them to STARTING (`claimed_by`, `claimed_at` = `now`) and
 * returns them with their RUN_STARTING entries, which the caller appends to the event log.
 * Params: the claim; `now` (database clock); `rowLocks`.
 */
export async function claimRunRows(db: Db, claim: RunClaim, now: number, rowLocks: boolean): Promise<{ runs: Run[]; entries: EventLogEntry[] }> {
  if (claim.limit <= 0) return { runs: [], entries: [] };
  const counts = isUnlimited(claim) ? { total: 0, byTagLimit: [] } : await selectInFlightCounts(db, claim);
  const plan = new ClaimPlan(claim, counts);
  const picked: Run[] = [];
  let afterId = 0;
  while (plan.hasRoom && picked.length < claim.limit) {
    let q = db
      .selectFrom("runs")
      .selectAll()
      .where("status", "=", RunStatus.QUEUED)
      .where("id", ">", afterId)
      .orderBy("id")
      .limit(isUnlimited(claim) ? claim.limit - picked.length : QUEUED_PAGE);
    if (rowLocks) q = q.forUpdate();
    const rows = await q.execute();
    for (const row of rows) {
      afterId = row.id;
      if (picked.length >= claim.limit || !plan.hasRoom) break;
      const run = toRun(row);
      if (plan.take(run.tags)) picked.push({ ...run, status: RunStatus.STARTING });
    }
    if (rows.length < QUEUED_PAGE) break;
  }
  if (picked.length === 0) return { runs: [], entries: [] };
  const ids = picked.map((r) => r.runId);
  await db
    .updateTable("runs")
    .set({ status: RunStatus.STARTING, claimed_by: claim.claimedBy, claimed_at: now, worker_id: null, heartbeat_at: null, updated_at: now })
    .where("run_id", "in", ids)
    .execute();
  const entries = picked.map(
    (run): EventLogEntry => ({
      runId: run.runId,
      jobName: run.jobName,
      timestamp: now,
      level: "DEBUG",
      message: `Run "${run.runId}" of job "${run.jobName}" claimed for launch by ${claim.claimedBy}.`,
      event: { eventType: EventType.RUN_STARTING, runStatus: RunStatus.STARTING, claimedBy: claim.claimedBy },
    }),
  );
  return { runs: picked, entries };
}

/**
 * Params: a run id and the limits. Returns: where a QUEUED run stands (position among queued runs,
 * oldest first, and the limits full for it); null when the run exists but is not QUEUED; undefined
 * when it does not exist.
 */
export async function selectRunQueueInfo(db: Db, runId: string, limits: ConcurrencyLimits): Promise<RunQueueInfo | null | undefined> {
  const row = await db.selectFrom("runs").select(["id", "status", "tags"]).where("run_id", "=", runId).executeTakeFirst();
  if (row === undefined) return undefined;
  if (row.status !== RunStatus.QUEUED) return null;
  const ahead = await db
    .selectFrom("runs")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("status", "=", RunStatus.QUEUED)
    .where("id", "<", row.id)
    .executeTakeFirstOrThrow();
  const counts = await selectInFlightCounts(db, limits);
  return { position: Number(ahead.n) + 1, blockedBy: fullLimitsFor(JSON.parse(row.tags) as Record<string, string>, limits, counts) };
}
