import type { Kysely } from "kysely";
import type { DdlCapabilities } from "../dialect-capabilities.js";
import type { VigilMigration } from "./migration.js";

/** The first schema: runs (+ tags, run keys), the event log, sensor states and ticks. */
export const initial: VigilMigration = {
  name: "0001-initial",
  async up(db: Kysely<unknown>, ddl: DdlCapabilities): Promise<void> {
    const big = ddl.bigintType;

    await db.schema
      .createTable("runs")
      .addColumn("id", ddl.autoIncrementType, (c) => ddl.autoIncrement(c))
      .addColumn("run_id", "text", (c) => c.notNull().unique())
      .addColumn("job_name", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("run_config", "text", (c) => c.notNull())
      .addColumn("tags", "text", (c) => c.notNull())
      .addColumn("created_at", big, (c) => c.notNull())
      .addColumn("started_at", big)
      .addColumn("ended_at", big)
      .addColumn("updated_at", big, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("runs_status_id").on("runs").columns(["status", "id"]).execute();
    await db.schema.createIndex("runs_job_name_id").on("runs").columns(["job_name", "id"]).execute();

    await db.schema
      .createTable("run_tags")
      .addColumn("run_id", "text", (c) => c.notNull().references("runs.run_id").onDelete("cascade"))
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      // Also serves as the (run_id) index.
      .addPrimaryKeyConstraint("run_tags_pk", ["run_id", "key"])
      .execute();
    await db.schema.createIndex("run_tags_key_value").on("run_tags").columns(["key", "value"]).execute();

    await db.schema
      .createTable("run_keys")
      .addColumn("sensor_name", "text", (c) => c.notNull())
      .addColumn("run_key", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("created_at", big, (c) => c.notNull())
      .addPrimaryKeyConstraint("run_keys_pk", ["sensor_name", "run_key"])
      .execute();
    await db.schema.createIndex("run_keys_run_id").on("run_keys").column("run_id").execute();

    await db.schema
      .createTable("event_logs")
      .addColumn("id", ddl.autoIncrementType, (c) => ddl.autoIncrement(c))
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("job_name", "text", (c) => c.notNull())
      .addColumn("event_type", "text")
      .addColumn("asset_key", "text")
      .addColumn("step_key", "text")
      .addColumn("level", "text", (c) => c.notNull())
      .addColumn("timestamp", big, (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("event_logs_event_type_id").on("event_logs").columns(["event_type", "id"]).execute();
    // The "newest materialization of one asset" lookup is a seek on this index.
    await db.schema
      .createIndex("event_logs_asset_key_event_type_id")
      .on("event_logs")
      .columns(["asset_key", "event_type", "id"])
      .where("asset_key", "is not", null)
      .execute();
    await db.schema.createIndex("event_logs_run_id_id").on("event_logs").columns(["run_id", "id"]).execute();

    await db.schema
      .createTable("sensor_states")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("status_source", "text", (c) => c.notNull())
      .addColumn("cursor", "text")
      .addColumn("last_tick_timestamp", big)
      .addColumn("last_tick_start_timestamp", big)
      .addColumn("last_run_key", "text")
      .addColumn("last_sensor_start_timestamp", big)
      .addColumn("updated_at", big, (c) => c.notNull())
      .addColumn("owner", "text")
      .addColumn("lease_expires_at", big)
      .execute();

    await db.schema
      .createTable("ticks")
      .addColumn("id", ddl.autoIncrementType, (c) => ddl.autoIncrement(c))
      .addColumn("sensor_name", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("timestamp", big, (c) => c.notNull())
      .addColumn("end_timestamp", big)
      .addColumn("body", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("ticks_sensor_name_timestamp").on("ticks").columns(["sensor_name", "timestamp"]).execute();
    await db.schema
      .createIndex("ticks_sensor_name_status_timestamp")
      .on("ticks")
      .columns(["sensor_name", "status", "timestamp"])
      .execute();
  },
};
