import type { Kysely, Selectable } from "kysely";
import { LeaseKind, ProcessKind, type LeaseGrant, type LeaseRecord, type ProcessRecord, type ProcessRegistration } from "../../model/index.js";
import type { Database, LeasesTable } from "../schema.js";
import type { LeaseKey, LeaseRound, LeaseRoundResult } from "../storage.js";
import { deleteProcesses, expireProcesses, forgetDeadProcesses, selectProcesses, upsertProcess } from "./processes.js";

type Db = Kysely<Database>;

function toLease(row: Selectable<LeasesTable>): LeaseRecord {
  return {
    kind: row.kind,
    name: row.name,
    owner: row.owner,
    token: Number(row.token),
    acquiredAt: row.acquired_at === null ? null : Number(row.acquired_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

const keyOf = (k: LeaseKey): string => `${k.kind}\u0000${k.name}`;

/** FNV-1a of a name: a stable order every daemon agrees on, which spreads names evenly. */
function spread(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A daemon's lease round; call in a transaction that holds the `"leases"` lock, so rounds of all
 * daemons run one after another. In order:
 * 1. expires the daemons the caller found dead, freeing their leases; with `exclusive`, stops
 *    (writing nothing) if another live daemon is registered;
 * 2. registers or renews the daemon (its registration expires `leaseMs` after `now`);
 * 3. computes its fair share: wanted sensors / live daemons, the remainder going to the first
 *    daemons by id, so shares differ by one at most and add up to the whole;
 * 4. releases what it holds but no longer wants, and what exceeds its share (never a busy key);
 * 5. renews the rest; acquires free leases (no owner, or an owner that is not a live daemon, or
 *    expired) up to its share, in the `spread` order, each with token + 1.
 * Params: the round; `now` (database clock). Returns: what it holds afterwards.
 */
export async function runLeaseRound(db: Db, round: LeaseRound, now: number): Promise<LeaseRoundResult> {
  const me = round.daemon.id;
  const dead = round.deadProcessIds.filter((id) => id !== me);
  if (dead.length > 0) {
    await db.updateTable("leases").set({ owner: null, expires_at: null }).where("owner", "in", dead).execute();
    // Expired, not deleted: the run monitor still reads who claimed a run, and sees that it is gone.
    await expireProcesses(db, dead, now);
  }
  const live = await selectProcesses(db, { kinds: [ProcessKind.DAEMON], aliveAt: now });
  if (round.exclusive) {
    const other = live.find((p) => p.id !== me);
    if (other !== undefined) return { now, conflict: other, liveDaemons: live.length, held: [] };
  }
  await upsertProcess(db, round.daemon, now, round.leaseMs);
  await forgetDeadProcesses(db, now);
  const liveIds = new Set([...live.map((p) => p.id), me]);

  const rows = new Map((await db.selectFrom("leases").selectAll().execute()).map((r) => [keyOf(r), toLease(r)]));
  const wanted = new Map(round.wanted.map((k) => [keyOf(k), k]));
  const busy = new Set(round.busy.map(keyOf));
  const shared = [...wanted.values()].filter((k) => k.kind !== LeaseKind.SINGLETON).length;
  // Even to within one: the first (shared mod daemons) daemons by id take one more.
  const rank = [...liveIds].sort().indexOf(me);
  const share = Math.floor(shared / liveIds.size) + (rank < shared % liveIds.size ? 1 : 0);

  const mine = [...rows.values()].filter((r) => r.owner === me);
  const keep = mine.filter((r) => wanted.has(keyOf(r)) || busy.has(keyOf(r)));
  const release = mine.filter((r) => !keep.includes(r));
  // Over its share (another daemon joined): give back idle sensors, highest `spread` first.
  const keptShared = keep.filter((r) => r.kind !== LeaseKind.SINGLETON).sort((a, b) => spread(b.name) - spread(a.name));
  for (let excess = keptShared.length - share, i = 0; excess > 0 && i < keptShared.length; i++) {
    const r = keptShared[i];
    if (r === undefined || busy.has(keyOf(r))) continue;
    keep.splice(keep.indexOf(r), 1);
    release.push(r);
    excess--;
  }

  const isFree = (r: LeaseRecord | undefined): boolean =>
    r === undefined || r.owner === null || (r.owner !== me && (!liveIds.has(r.owner) || (r.expiresAt ?? 0) <= now));
  const candidates = [...wanted.values()].filter((k) => isFree(rows.get(keyOf(k)))).sort((a, b) => spread(a.name) - spread(b.name));
  let room = share - keep.filter((r) => r.kind !== LeaseKind.SINGLETON).length;
  const acquire = candidates.filter((k) => {
    if (k.kind === LeaseKind.SINGLETON) return true;
    if (room <= 0) return false;
    room--;
    return true;
  });

  const expiresAt = now + round.leaseMs;
  for (const r of release) {
    await db.updateTable("leases").set({ owner: null, expires_at: null }).where("kind", "=", r.kind).where("name", "=", r.name).where("owner", "=", me).execute();
  }
  if (keep.length > 0) {
    await db.updateTable("leases").set({ expires_at: expiresAt }).where("owner", "=", me).where("expires_at", "is not", null).execute();
  }
  const held: LeaseGrant[] = keep.map((r) => ({ kind: r.kind, name: r.name, owner: me, token: r.token, expiresAt }));
  for (const k of acquire) {
    const row = await db
      .insertInto("leases")
      .values({ kind: k.kind, name: k.name, owner: me, token: 1, acquired_at: now, expires_at: expiresAt })
      .onConflict((oc) =>
        oc.columns(["kind", "name"]).doUpdateSet((eb) => ({ owner: me, token: eb("leases.token", "+", 1), acquired_at: now, expires_at: expiresAt })),
      )
      .returning("token")
      .executeTakeFirstOrThrow();
    held.push({ kind: k.kind, name: k.name, owner: me, token: Number(row.token), expiresAt });
  }
  return { now, conflict: null, liveDaemons: liveIds.size, held };
}

/** Releases every lease of `owner` and removes its registration (a daemon that stops cleanly). */
export async function releaseOwner(db: Db, owner: string): Promise<void> {
  await db.updateTable("leases").set({ owner: null, expires_at: null }).where("owner", "=", owner).execute();
  await deleteProcesses(db, [owner]);
}

/**
 * Params: a lease key; `forUpdate` locks the row (where supported) until the transaction ends, so a
 * takeover waits for a commit made under the old token. Returns: the lease, or null.
 */
export async function selectLease(db: Db, key: LeaseKey, forUpdate: boolean): Promise<LeaseRecord | null> {
  let q = db.selectFrom("leases").selectAll().where("kind", "=", key.kind).where("name", "=", key.name);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row === undefined ? null : toLease(row);
}

/** Returns: every lease, by kind then name. */
export async function selectLeases(db: Db): Promise<LeaseRecord[]> {
  const rows = await db.selectFrom("leases").selectAll().orderBy("kind").orderBy("name").execute();
  return rows.map(toLease);
}
