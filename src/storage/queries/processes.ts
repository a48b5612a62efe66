import type { Kysely, Selectable } from "kysely";
import type { ProcessKind, ProcessRecord, ProcessRegistration } from "../../model/index.js";
import type { Database, ProcessesTable } from "../schema.js";

type Db = Kysely<Database>;

/** A process row that stayed silent this long after its expiry is deleted (it only fed `vigil status`). */
export const FORGET_DEAD_PROCESSES_MS = 3_600_000;

function toProcess(row: Selectable<ProcessesTable>): ProcessRecord {
  return {
    id: row.id,
    kind: row.kind,
    host: row.host,
    pid: Number(row.pid),
    pidNamespace: row.pid_namespace,
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
    expiresAt: Number(row.expires_at),
    info: JSON.parse(row.info) as Record<string, unknown>,
  };
}

/**
 * Registers a process or renews its heartbeat (insert or update in one statement).
 * Params: the registration; `now` (database clock); `ttlMs`: it counts as alive until `now + ttlMs`.
 * Returns: the stored record.
 */
export async function upsertProcess(db: Db, process: ProcessRegistration, now: number, ttlMs: number): Promise<ProcessRecord> {
  const row = await db
    .insertInto("processes")
    .values({
      id: process.id,
      kind: process.kind,
      host: process.host,
      pid: process.pid,
      pid_namespace: process.pidNamespace,
      started_at: now,
      heartbeat_at: now,
      expires_at: now + ttlMs,
      info: JSON.stringify(process.info),
    })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet({ heartbeat_at: now, expires_at: now + ttlMs, info: JSON.stringify(process.info) }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProcess(row);
}

/** Params: process ids. Returns: nothing; deletes their rows. */
export async function deleteProcesses(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom("processes").where("id", "in", ids).execute();
}

/** Marks processes found dead as expired at `now` (their rows stay, for messages about what they left). */
export async function expireProcesses(db: Db, ids: readonly string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable("processes").set({ expires_at: now }).where("id", "in", ids).where("expires_at", ">", now).execute();
}

/** Deletes the rows of processes silent since long before `now` (`FORGET_DEAD_PROCESSES_MS` past their expiry). */
export async function forgetDeadProcesses(db: Db, now: number): Promise<void> {
  await db.deleteFrom("processes").where("expires_at", "<", now - FORGET_DEAD_PROCESSES_MS).execute();
}

/**
 * Params: optional kinds; `aliveAt` keeps only processes whose registration has not expired then.
 * Returns: processes, oldest registration first.
 */
export async function selectProcesses(db: Db, options: { kinds?: readonly ProcessKind[]; aliveAt?: number; ids?: readonly string[] } = {}): Promise<ProcessRecord[]> {
  // An empty list matches nothing.
  if (options.kinds?.length === 0 || options.ids?.length === 0) return [];
  let q = db.selectFrom("processes").selectAll();
  if (options.kinds !== undefined) q = q.where("kind", "in", options.kinds);
  if (options.ids !== undefined) q = q.where("id", "in", options.ids);
  if (options.aliveAt !== undefined) q = q.where("expires_at", ">", options.aliveAt);
  const rows = await q.orderBy("started_at").orderBy("id").execute();
  return rows.map(toProcess);
}
