import type { Kysely } from "kysely";
import type { DdlCapabilities } from "../dialect-capabilities.js";
import type { VigilMigration } from "./migration.js";

/**
 * Ownership and liveness in storage: registered processes with heartbeats, leases (sensors and
 * singletons) with fencing tokens, who claimed and who executes each run, and the lease a tick
 * was started under.
 */
export const ownership: VigilMigration = {
  name: "0002-ownership",
  async up(db: Kysely<unknown>, ddl: DdlCapabilities): Promise<void> {
    const big = ddl.bigintType;

    await db.schema
      .createTable("processes")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("host", "text", (c) => c.notNull())
      .addColumn("pid", big, (c) => c.notNull())
      .addColumn("pid_namespace", "text")
      .addColumn("started_at", big, (c) => c.notNull())
      .addColumn("heartbeat_at", big, (c) => c.notNull())
      .addColumn("expires_at", big, (c) => c.notNull())
      .addColumn("info", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("processes_kind_expires_at").on("processes").columns(["kind", "expires_at"]).execute();

    await db.schema
      .createTable("leases")
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("owner", "text")
      .addColumn("token", big, (c) => c.notNull())
      .addColumn("acquired_at", big)
      .addColumn("expires_at", big)
      .addPrimaryKeyConstraint("leases_pk", ["kind", "name"])
      .execute();
    await db.schema.createIndex("leases_owner").on("leases").column("owner").execute();

    // SQLite adds one column per ALTER TABLE statement.
    for (const [column, type] of [
      ["claimed_by", "text"],
      ["claimed_at", big],
      ["worker_id", "text"],
      ["heartbeat_at", big],
    ] as const) {
      await db.schema.alterTable("runs").addColumn(column, type).execute();
    }
    for (const [column, type] of [
      ["owner", "text"],
      ["lease_token", big],
    ] as const) {
      await db.schema.alterTable("ticks").addColumn(column, type).execute();
    }
  },
};
