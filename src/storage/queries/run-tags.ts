import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

type Db = Kysely<Database>;

/**
 * Adds tags to an existing run, overwriting keys it already has, in both the `runs.tags` JSON and
 * `run_tags`. Call inside a transaction.
 * Params: a run id; the tags; `forUpdate` locks the run row first (where supported) so concurrent
 * tag writes to one run do not lose each other's keys; `now` (ms) for `updated_at`.
 * Returns: the run's tags after the change, or null when the run does not exist (nothing written).
 */
export async function addRunTags(
  db: Db,
  runId: string,
  tags: Readonly<Record<string, string>>,
  forUpdate: boolean,
  now: number,
): Promise<Record<string, string> | null> {
  let q = db.selectFrom("runs").select("tags").where("run_id", "=", runId);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (row === undefined) return null;
  const merged = { ...(JSON.parse(row.tags) as Record<string, string>), ...tags };
  await db.updateTable("runs").set({ tags: JSON.stringify(merged), updated_at: now }).where("run_id", "=", runId).execute();
  const rows = Object.entries(tags).map(([key, value]) => ({ run_id: runId, key, value }));
  if (rows.length > 0) {
    await db
      .insertInto("run_tags")
      .values(rows)
      .onConflict((oc) => oc.columns(["run_id", "key"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })))
      .execute();
  }
  return merged;
}
