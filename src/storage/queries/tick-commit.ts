import { randomUUID } from "node:crypto";
import type { Kysely, RawBuilder, SqlBool } from "kysely";
import { capTickLists, EventType, RunStatus, RunTag, TICK_LIST_CAP, TickStatus, type EventLogEntry, type Run, type StoredSensorState, type Tick } from "../../model/index.js";
import type { TickCommit, TickCommitResult } from "../storage.js";
import type { Database } from "../schema.js";
import { insertEvents } from "./events.js";
import { InvalidArgumentError } from "../../errors/index.js";
import { assertLeaseHeld } from "./lease-check.js";
import { selectSensorState, sensorStateUpsert } from "./sensors.js";
import { selectTick, updateTickRow } from "./ticks.js";

type Db = Kysely<Database>;

/** How many rows one statement may carry, per table, under the dialect's bind limit; and the dialect's hooks. */
export interface TickCommitLimits {
  /** `DialectCapabilities.inStrings`: one statement (one parameter) looks up any number of keys. */
  inStrings: (column: string, values: readonly string[]) => RawBuilder<SqlBool>;
  eventRowsPerStatement: number;
  maxParameters: number;
  /** Whether `SELECT … FOR UPDATE` exists (locks the tick row until the commit). */
  rowLocks: boolean;
  /** Called before the event log is appended to (see `DialectCapabilities.serializeEventAppends`). */
  serializeEventAppends: (db: Db) => Promise<void>;
}

const RUN_PARAMS = 9;
const RUN_KEY_PARAMS = 4;
const TAG_PARAMS = 3;

/**
 * The one transaction that ends a tick (call inside a transaction; nothing is written when it throws):
 * 1. checks the lease, when one is given (`LeaseLostError`), then that the tick is still `STARTED`
 *    (`assertTickTransition`, by `check`);
 * 2. de-duplicates run keys (once each, first request wins), then finds the keys the sensor already
 *    used: a reservation in `run_keys`, or any run tagged with this sensor and key (hand-made too);
 * 3. reserves the new keys (`ON CONFLICT DO NOTHING`: a concurrent daemon's reservation wins),
 *    stores one `QUEUED` run per new key and per key-less request, with their tags and
 *    `RUN_ENQUEUED` events (a request without `runId` gets one generated here, only if its run is created);
 * 4. ends the tick (SUCCESS with runs, else SKIPPED; FAILURE when `commit.error` is set) and
 *    stores the sensor state (cursor unless `storeCursor` is false, last tick time, last run key).
 * Params: the commit; `now` (ms) for `updated_at`; chunk limits. Returns: the tick and the runs created.
 */
export async function commitTickRows(
  db: Db,
  commit: TickCommit,
  now: number,
  limits: TickCommitLimits,
  check: (tick: Tick) => void,
): Promise<TickCommitResult | null> {
  let state: StoredSensorState | null | undefined;
  let leaseSensor: string | undefined;
  if (commit.lease !== undefined) {
    // The lease row is locked before the tick row, in the same order as a tick start (which locks
    // the lease, then closes dangling ticks): a takeover and a stale commit never deadlock.
    leaseSensor = commit.sensorName ?? (await db.selectFrom("ticks").select("sensor_name").where("id", "=", commit.tickId).executeTakeFirst())?.sensor_name;
    if (leaseSensor === undefined) return null;
    state = await assertLeaseHeld(db, leaseSensor, commit.lease, limits.rowLocks, `commit tick ${commit.tickId}`);
  }
  const tick = await selectTick(db, commit.tickId, limits.rowLocks);
  if (tick === null) return null;
  check(tick);
  const sensorName = tick.sensorName;
  if (leaseSensor !== undefined && leaseSensor !== sensorName) {
    throw new InvalidArgumentError(`Tick ${tick.id} is a tick of sensor "${sensorName}", not of "${leaseSensor}"; commit it under its own sensor's lease.`);
  }
  if (commit.storeCursor) {
    // The state read with the lease is this sensor's unless the caller named another.
    const current = state !== undefined && leaseSensor === sensorName ? state : await selectSensorState(db, sensorName);
    const stored = current?.cursor ?? null;
    if (stored !== tick.cursorBefore) return await endWithCursorConflict(db, commit, tick, stored, now);
  }

  // 2. Unique keys in request order; the first request with a key wins.
  const runKeys: string[] = [];
  const seen = new Set<string>();
  for (const r of commit.runRequests) {
    if (r.runKey !== null && !seen.has(r.runKey)) {
      seen.add(r.runKey);
      runKeys.push(r.runKey);
    }
  }
  // Counting first spares reading 100,000 rows back in the steady states (all keys new, all used).
  const reservedCount = await countReservedKeys(db, sensorName, runKeys, limits.inStrings);
  const used = reservedCount === 0 ? new Set<string>() : reservedCount === runKeys.length ? seen : await selectReservedKeys(db, sensorName, runKeys, limits.inStrings);
  // `used` only ever holds keys of `runKeys`: the all-new and all-used cases need no per-key lookups.
  const unreserved = used.size === 0 ? runKeys : used.size === runKeys.length ? [] : runKeys.filter((k) => !used.has(k));
  for (const k of await selectTaggedKeys(db, sensorName, unreserved, limits.inStrings)) used.add(k);

  // 3. Reserve, then create the runs for the keys reserved now (and for key-less requests).
  const runIdByKey = new Map<string, string>();
  const allUsed = used.size === runKeys.length && runKeys.length > 0;
  const wanted = commit.runRequests.filter((r) => {
    if (allUsed) return r.runKey === null;
    if (r.runKey === null) return true;
    if (used.has(r.runKey) || runIdByKey.has(r.runKey)) return false;
    runIdByKey.set(r.runKey, r.runId ?? randomUUID());
    return true;
  });
  const reserved = await reserveKeys(db, sensorName, runIdByKey, now, chunkRows(limits.maxParameters, RUN_KEY_PARAMS));
  const toCreate = wanted.filter((r) => r.runKey === null || reserved.has(r.runKey));
  for (const key of runIdByKey.keys()) if (!reserved.has(key)) used.add(key);

  const runs: Run[] = toCreate.map((r) => ({
    // A keyed request's id was settled when its key was reserved.
    runId: r.runKey === null ? (r.runId ?? randomUUID()) : (runIdByKey.get(r.runKey) ?? randomUUID()),
    jobName: r.jobName,
    status: RunStatus.QUEUED,
    // Precedence: the job's and the request's tags (merged by the caller) < Vigil's own.
    tags: {
      ...r.tags,
      [RunTag.SENSOR_NAME]: sensorName,
      ...(r.runKey === null ? {} : { [RunTag.RUN_KEY]: r.runKey }),
      [RunTag.TICK_ID]: String(tick.id),
    },
    runConfig: r.runConfig,
    createdAt: commit.createdAt,
    startedAt: null,
    endedAt: null,
  }));
  await insertRuns(db, runs, now, limits);

  // 4. The tick's end and the sensor's state.
  const succeeded = runs.length > 0 || (commit.handledEvents ?? 0) > 0;
  const status = commit.error !== null ? TickStatus.FAILURE : succeeded ? TickStatus.SUCCESS : TickStatus.SKIPPED;
  const dedupedRunKeys = used.size === runKeys.length ? [...runKeys] : used.size === 0 ? [] : runKeys.filter((k) => used.has(k));
  const skipReason =
    status !== TickStatus.SKIPPED
      ? null
      : (commit.skipReason ??
        (dedupedRunKeys.length > 0
          ? `Every requested run key was already used by this sensor (${dedupedRunKeys.length} key${dedupedRunKeys.length === 1 ? "" : "s"}, ${dedupedRunKeys.length > TICK_LIST_CAP ? `the first ${TICK_LIST_CAP} listed` : "listed"} in dedupedRunKeys); no run was created.`
          : null));
  const ended: Tick = capTickLists({
    ...tick,
    status,
    endTimestamp: commit.endTimestamp,
    runIds: runs.map((r) => r.runId),
    runKeys,
    dedupedRunKeys,
    skipReason,
    error: commit.error,
    cursor: commit.cursor,
  });
  await updateTickRow(db, ended);
  await storeSensorState(db, commit, ended, now);
  return { tick: ended, runs };
}

/**
 * The cursor was edited (e.g. `vigil sensor cursor --set`) while the tick ran: its evaluation started
 * from a cursor that no longer stands, so nothing of it is kept. The tick ends FAILURE saying so.
 */
async function endWithCursorConflict(db: Db, commit: TickCommit, tick: Tick, stored: string | null, now: number): Promise<TickCommitResult> {
  const message = `Sensor "${tick.sensorName}": its cursor changed while tick ${tick.id} ran (from ${JSON.stringify(tick.cursorBefore)} to ${JSON.stringify(stored)}, e.g. by "vigil sensor cursor"); the tick's run requests and cursor were discarded, and the next tick starts from the new cursor.`;
  const ended: Tick = {
    ...tick,
    status: TickStatus.FAILURE,
    endTimestamp: commit.endTimestamp,
    error: { message, stack: `CursorConflict: ${message}` },
    cursor: stored,
  };
  await updateTickRow(db, ended);
  await storeSensorState(db, { ...commit, storeCursor: false }, ended, now);
  return { tick: ended, runs: [] };
}

/** Rows per multi-row INSERT for a table with `params` bind parameters per row. */
function chunkRows(maxParameters: number, params: number): number {
  return Math.max(1, Math.min(1000, Math.floor(maxParameters / params)));
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Params: a sensor and run keys. Returns: how many of them are reserved in `run_keys`. */
async function countReservedKeys(db: Db, sensorName: string, keys: readonly string[], inStrings: TickCommitLimits["inStrings"]): Promise<number> {
  if (keys.length === 0) return 0;
  const row = await db
    .selectFrom("run_keys")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("sensor_name", "=", sensorName)
    .where(inStrings("run_key", keys))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Params: a sensor and run keys. Returns: those reserved in `run_keys`. */
async function selectReservedKeys(db: Db, sensorName: string, keys: readonly string[], inStrings: TickCommitLimits["inStrings"]): Promise<Set<string>> {
  const out = new Set<string>();
  if (keys.length === 0) return out;
  const rows = await db.selectFrom("run_keys").select("run_key").where("sensor_name", "=", sensorName).where(inStrings("run_key", keys)).execute();
  for (const r of rows) out.add(r.run_key);
  return out;
}

/** Params: a sensor and run keys. Returns: those carried by a run tagged with that sensor and key. */
async function selectTaggedKeys(db: Db, sensorName: string, keys: readonly string[], inStrings: TickCommitLimits["inStrings"]): Promise<string[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom("run_tags as k")
    .innerJoin("run_tags as s", "s.run_id", "k.run_id")
    .select("k.value")
    .where("k.key", "=", RunTag.RUN_KEY)
    .where(inStrings("k.value", keys))
    .where("s.key", "=", RunTag.SENSOR_NAME)
    .where("s.value", "=", sensorName)
    .execute();
  return rows.map((r) => r.value);
}

/** Reserves run key → run id pairs. Returns: the keys reserved now (a concurrent holder keeps its own). */
async function reserveKeys(db: Db, sensorName: string, keys: ReadonlyMap<string, string>, now: number, size: number): Promise<Set<string>> {
  const out = new Set<string>();
  // In key order: two commits reserving overlapping keys then wait on each other in one direction only (no deadlock).
  for (const chunk of chunks([...keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), size)) {
    const rows = await db
      .insertInto("run_keys")
      .values(chunk.map(([run_key, run_id]) => ({ sensor_name: sensorName, run_key, run_id, created_at: now })))
      .onConflict((oc) => oc.columns(["sensor_name", "run_key"]).doNothing())
      .returning("run_key")
      .execute();
    for (const r of rows) out.add(r.run_key);
  }
  return out;
}

/** Inserts QUEUED runs, their tags and their RUN_ENQUEUED events, in multi-row statements. */
async function insertRuns(db: Db, runs: readonly Run[], now: number, limits: TickCommitLimits): Promise<void> {
  if (runs.length === 0) return;
  for (const chunk of chunks(runs, chunkRows(limits.maxParameters, RUN_PARAMS))) {
    await db
      .insertInto("runs")
      .values(
        chunk.map((r) => ({
          run_id: r.runId,
          job_name: r.jobName,
          status: r.status,
          run_config: JSON.stringify(r.runConfig),
          tags: JSON.stringify(r.tags),
          created_at: r.createdAt,
          started_at: null,
          ended_at: null,
          updated_at: now,
        })),
      )
      .execute();
  }
  const tags = runs.flatMap((r) => Object.entries(r.tags).map(([key, value]) => ({ run_id: r.runId, key, value })));
  for (const chunk of chunks(tags, chunkRows(limits.maxParameters, TAG_PARAMS))) await db.insertInto("run_tags").values(chunk).execute();
  const events: EventLogEntry[] = runs.map((r) => ({
    runId: r.runId,
    jobName: r.jobName,
    timestamp: r.createdAt,
    level: "DEBUG",
    message: `Run queued by sensor "${r.tags[RunTag.SENSOR_NAME] ?? ""}" (tick ${r.tags[RunTag.TICK_ID] ?? ""}).`,
    event: { eventType: EventType.RUN_ENQUEUED, runStatus: RunStatus.QUEUED },
  }));
  await limits.serializeEventAppends(db);
  await insertEvents(db, events, limits.eventRowsPerStatement);
}

/** Stores the sensor's state after its tick: the cursor (unless refused), last tick time, last run key. */
async function storeSensorState(db: Db, commit: TickCommit, tick: Tick, now: number): Promise<void> {
  const lastRunKey = tick.status === TickStatus.FAILURE ? undefined : tick.runKeys.at(-1);
  const changes = {
    last_tick_timestamp: tick.timestamp,
    ...(commit.storeCursor ? { cursor: commit.cursor } : {}),
    ...(lastRunKey === undefined ? {} : { last_run_key: lastRunKey }),
    updated_at: now,
  };
  await sensorStateUpsert(db, tick.sensorName, changes)
    .execute();
}
