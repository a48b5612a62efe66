import { sql, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool } from "kysely";
import type { Run, RunStatus } from "../../model/index.js";
import type { NewRun, RunsFilter } from "../storage.js";
import type { Database, RunsTable } from "../schema.js";

type Db = Kysely<Database>;

/** Maps a `runs` row to the public `Run`. */
export function toRun(row: Selectable<RunsTable>): Run {
  return {
    runId: row.run_id,
    jobName: row.job_name,
    status: row.status,
    tags: JSON.parse(row.tags) as Record<string, string>,
    runConfig: JSON.parse(row.run_config) as Record<string, unknown>,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

/**
 * Inserts a run and its tags. Call inside a transaction.
 * Params: the new run; `now` (ms) for `updated_at`.
 * Returns: the stored run, or null when a run with that id already exists (nothing written).
 */
export async function insertRun(db: Db, run: NewRun, now: number): Promise<Run | null> {
  const row = await db
    .insertInto("runs")
    .values({
      run_id: run.runId,
      job_name: run.jobName,
      status: run.status,
      run_config: JSON.stringify(run.runConfig),
      tags: JSON.stringify(run.tags),
      created_at: run.createdAt,
      started_at: null,
      ended_at: null,
      updated_at: now,
    })
    .onConflict((oc) => oc.column("run_id").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) return null;
  const tags = Object.entries(run.tags).map(([key, value]) => ({ run_id: run.runId, key, value }));
  if (tags.length > 0) await db.insertInto("run_tags").values(tags).execute();
  return toRun(row);
}

/**
 * Params: a run id. Returns: the run, or null when unknown.
 */
export async function selectRun(db: Db, runId: string): Promise<Run | null> {
  const row = await db.selectFrom("runs").selectAll().where("run_id", "=", runId).executeTakeFirst();
  return row === undefined ? null : toRun(row);
}

/** The WHERE clause of a `RunsFilter` (every given filter must hold; `limit` aside). */
function runsWhere(filter: RunsFilter) {
  return (eb: ExpressionBuilder<Database, "runs">): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    if (filter.jobName !== undefined) conditions.push(eb("runs.job_name", "=", filter.jobName));
    // An empty list matches nothing ("status is one of none"), rather than disabling the filter.
    if (filter.statuses !== undefined) {
      conditions.push(filter.statuses.length === 0 ? sql<SqlBool>`1 = 0` : eb("runs.status", "in", filter.statuses));
    }
    if (filter.runIds !== undefined) {
      conditions.push(filter.runIds.length === 0 ? sql<SqlBool>`1 = 0` : eb("runs.run_id", "in", filter.runIds));
    }
    for (const [key, value] of Object.entries(filter.tags ?? {})) {
      conditions.push(
        eb.exists(
          eb
            .selectFrom("run_tags")
            .select("run_tags.run_id")
            .whereRef("run_tags.run_id", "=", "runs.run_id")
            .where("run_tags.key", "=", key)
            .where("run_tags.value", "=", value),
        ),
      );
    }
    if (filter.cursor !== undefined) {
      // Runs created before the cursor run; an unknown cursor compares with NULL and matches nothing.
      conditions.push(eb("runs.id", "<", eb.selectFrom("runs as c").select("c.id").where("c.run_id", "=", filter.cursor)));
    }
    return conditions.length === 0 ? sql<SqlBool>`1 = 1` : eb.and(conditions);
  };
}

/**
 * Params: a `RunsFilter`. Returns: matching runs, newest first (by creation order), at most `limit`.
 */
export async function selectRuns(db: Db, filter: RunsFilter = {}): Promise<Run[]> {
  let query = db.selectFrom("runs").selectAll().where(runsWhere(filter)).orderBy("runs.id", "desc");
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  const rows = await query.execute();
  return rows.map(toRun);
}

/**
 * Params: a `RunsFilter` (`limit` and `cursor` ignored). Returns: how many runs match.
 */
export async function countRuns(db: Db, filter: RunsFilter = {}): Promise<number> {
  const { cursor: _cursor, limit: _limit, ...rest } = filter;
  const row = await db
    .selectFrom("runs")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(runsWhere(rest))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The status fields `storeEvents` moves. */
export interface RunStatusRow {
  status: RunStatus;
  startedAt: number | null;
  endedAt: number | null;
}

/**
 * Params: run ids. Returns: the current status fields of those that exist, by run id.
 */
export async function selectRunStatuses(db: Db, runIds: readonly string[]): Promise<Map<string, RunStatusRow>> {
  const out = new Map<string, RunStatusRow>();
  if (runIds.length === 0) return out;
  const rows = await db
    .selectFrom("runs")
    .select(["run_id", "status", "started_at", "ended_at"])
    .where("run_id", "in", runIds)
    .execute();
  for (const r of rows) out.set(r.run_id, { status: r.status, startedAt: r.started_at, endedAt: r.ended_at });
  return out;
}

/**
 * Params: a run id, its new status fields, `now` (ms) for `updated_at`. Returns: nothing.
 */
export async function updateRunStatus(db: Db, runId: string, next: RunStatusRow, now: number): Promise<void> {
  await db
    .updateTable("runs")
    // A claim's time starts the start timeout, however the run was claimed.
    .set((eb) => ({
      status: next.status,
      started_at: next.startedAt,
      ended_at: next.endedAt,
      updated_at: now,
      ...(next.status === "STARTING" ? { claimed_at: eb.fn.coalesce("claimed_at", eb.val(now)) } : {}),
    }))
    .where("run_id", "=", runId)
    .execute();
}

/**
 * Reserves `(sensorName, runKey)` for `runId`. Call inside the transaction that creates the run.
 * Returns: true when reserved now, false when the key was already taken (nothing written).
 */
export async function reserveRunKey(db: Db, sensorName: string, runKey: string, runId: string, now: number): Promise<boolean> {
  const row = await db
    .insertInto("run_keys")
    .values({ sensor_name: sensorName, run_key: runKey, run_id: runId, created_at: now })
    .onConflict((oc) => oc.columns(["sensor_name", "run_key"]).doNothing())
    .returning("run_id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Params: a sensor name and run keys (any number; looked up in chunks of `chunkSize`).
 * Returns: run key → run id for the keys already reserved.
 */
export async function selectRunKeys(
  db: Db,
  sensorName: string,
  runKeys: readonly string[],
  chunkSize: number,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < runKeys.length; i += chunkSize) {
    const chunk = runKeys.slice(i, i + chunkSize);
    const rows = await db
      .selectFrom("run_keys")
      .select(["run_key", "run_id"])
      .where("sensor_name", "=", sensorName)
      .where("run_key", "in", chunk)
      .execute();
    for (const r of rows) out.set(r.run_key, r.run_id);
  }
  return out;
}
