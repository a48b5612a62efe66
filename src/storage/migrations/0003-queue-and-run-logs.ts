import type { Kysely } from "kysely";
import type { DdlCapabilities } from "../dialect-capabilities.js";
import type { VigilMigration } from "./migration.js";

/**
 * Runs handed to a work queue (the graphile-worker task they were enqueued as), and what runs
 * print (stdout and stderr), stored wherever they executed.
 */
export const queueAndRunLogs: VigilMigration = {
  name: "0003-queue-and-run-logs",
  async up(db: Kysely<unknown>, ddl: DdlCapabilities): Promise<void> {
    await db.schema.alterTable("runs").addColumn("queue_task", "text").execute();
    await db.schema
      .createTable("run_logs")
      .addColumn("id", ddl.autoIncrementType, (c) => ddl.autoIncrement(c))
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("timestamp", ddl.bigintType, (c) => c.notNull())
      .addColumn("text", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("run_logs_run_id_id").on("run_logs").columns(["run_id", "id"]).execute();
  },
};
