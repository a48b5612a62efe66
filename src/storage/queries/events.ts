import type { Insertable, Kysely } from "kysely";
import { reviveEventLogEntry, type EventLogEntry, type EventLogRecord } from "../../model/index.js";
import type { EventRecordsFilter } from "../storage.js";
import type { Database, EventLogsTable } from "../schema.js";

type Db = Kysely<Database>;

/** Bind parameters per `event_logs` row in a multi-row insert. */
export const EVENT_INSERT_PARAMS_PER_ROW = 8;

/** The indexed columns and body of an entry. */
function toRow(entry: EventLogEntry): Insertable<EventLogsTable> {
  const event = entry.event;
  const assetPath = event?.assetKey ?? event?.materialization?.assetKey;
  return {
    run_id: entry.runId,
    job_name: entry.jobName,
    event_type: event?.eventType ?? null,
    asset_key: assetPath === undefined ? null : assetPath.toString(),
    step_key: entry.stepKey ?? null,
    level: entry.level,
    timestamp: entry.timestamp,
    body: JSON.stringify(entry),
  };
}

function toRecord(row: { id: number; body: string }): EventLogRecord {
  return { storageId: row.id, entry: reviveEventLogEntry(JSON.parse(row.body) as EventLogEntry) };
}

/**
 * Appends entries in order, `rowsPerStatement` rows per INSERT. Call inside a transaction that has
 * serialised event appends (so ids are assigned in the entries' order and in commit order).
 * Returns: the storage id of each entry, in the entries' order.
 */
export async function insertEvents(db: Db, entries: readonly EventLogEntry[], rowsPerStatement: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < entries.length; i += rowsPerStatement) {
    const rows = entries.slice(i, i + rowsPerStatement).map(toRow);
    const returned = await db.insertInto("event_logs").values(rows).returning("id").execute();
    // RETURNING order is unspecified, but rows take ids in VALUES order, so sorting restores it.
    ids.push(...returned.map((r) => r.id).sort((a, b) => a - b));
  }
  return ids;
}

/**
 * The query behind `getEventRecords` (exported so tests and benchmarks can EXPLAIN it).
 * With `assetKey` it is a seek on (asset_key, event_type, id); without, on (event_type, id).
 */
export function eventRecordsQuery(db: Db, filter: EventRecordsFilter) {
  let q = db.selectFrom("event_logs").select(["id", "body"]).where("event_type", "=", filter.eventType);
  if (filter.assetKey !== undefined) q = q.where("asset_key", "=", filter.assetKey);
  if (filter.afterCursor !== undefined) q = q.where("id", ">", filter.afterCursor);
  if (filter.beforeCursor !== undefined) q = q.where("id", "<", filter.beforeCursor);
  if (filter.afterTimestamp !== undefined) q = q.where("timestamp", ">", filter.afterTimestamp);
  if (filter.beforeTimestamp !== undefined) q = q.where("timestamp", "<", filter.beforeTimestamp);
  if (filter.runIds !== undefined) {
    // An empty list matches nothing.
    q = filter.runIds.length === 0 ? q.where("id", "<", 0) : q.where("run_id", "in", filter.runIds);
  }
  q = q.orderBy("id", filter.ascending === true ? "asc" : "desc");
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  return q;
}

/**
 * Params: an `EventRecordsFilter` (all bounds strict). Returns: matching records, newest first
 * unless `ascending`, at most `limit`.
 */
export async function selectEventRecords(db: Db, filter: EventRecordsFilter): Promise<EventLogRecord[]> {
  const rows = await eventRecordsQuery(db, filter).execute();
  return rows.map(toRecord);
}

/**
 * Params: a run id; `afterStorageId` (exclusive) and `limit`. Returns: the run's events in storage order.
 */
export async function selectRunEvents(
  db: Db,
  runId: string,
  options: { afterStorageId?: number; limit?: number } = {},
): Promise<EventLogRecord[]> {
  let q = db.selectFrom("event_logs").select(["id", "body"]).where("run_id", "=", runId);
  if (options.afterStorageId !== undefined) q = q.where("id", ">", options.afterStorageId);
  q = q.orderBy("id", "asc");
  if (options.limit !== undefined) q = q.limit(options.limit);
  const rows = await q.execute();
  return rows.map(toRecord);
}

/**
 * Returns: the newest storage id, 0 when the log is empty (a max over the primary key: one seek).
 */
export async function selectMaxStorageId(db: Db): Promise<number> {
  const row = await db
    .selectFrom("event_logs")
    .select((eb) => eb.fn.max("id").as("max"))
    .executeTakeFirst();
  return row?.max === undefined || row.max === null ? 0 : Number(row.max);
}
