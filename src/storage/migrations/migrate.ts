import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import { toError } from "../../errors/index.js";
import type { DialectCapabilities } from "../dialect-capabilities.js";
import type { Database } from "../schema.js";
import { MIGRATIONS } from "./index.js";
import type { VigilMigration } from "./migration.js";

/** What `migrate()` did. It never throws: a failure is reported in `error`. */
export interface MigrateResult {
  /** Names of the migrations this call applied, in order (empty when already up to date). */
  applied: string[];
  /** The migration that failed, if any; later ones were not attempted. */
  failed: string | null;
  error: Error | null;
}

/** Kysely's bookkeeping tables, named for Vigil. */
const MIGRATION_TABLE = "vigil_migrations";
const MIGRATION_LOCK_TABLE = "vigil_migrations_lock";

/**
 * Applies every pending migration of `migrations` (default: all of Vigil's), each in its own
 * transaction, under the dialect's migration lock so that two processes opening the same database
 * at once migrate it exactly once.
 *
 * @returns which migrations ran, and the error if one failed (nothing half-applied on transactional DDL).
 */
export async function migrate(
  db: Kysely<Database>,
  capabilities: DialectCapabilities,
  migrations: readonly VigilMigration[] = MIGRATIONS,
): Promise<MigrateResult> {
  const provider: MigrationProvider = {
    getMigrations: async () => {
      const byName: Record<string, Migration> = {};
      for (const m of migrations) byName[m.name] = { up: (kdb) => m.up(kdb, capabilities.ddl) };
      return byName;
    },
  };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(capabilities.schema === undefined ? {} : { migrationTableSchema: capabilities.schema }),
  });
  try {
    const { error, results = [] } = await capabilities.withMigrationLock(db, () => migrator.migrateToLatest());
    return {
      applied: results.filter((r) => r.status === "Success").map((r) => r.migrationName),
      failed: results.find((r) => r.status === "Error")?.migrationName ?? null,
      error: error === undefined ? null : toError(error),
    };
  } catch (error) {
    // The lock itself failed (e.g. the connection dropped): report it like any other failure.
    return { applied: [], failed: null, error: toError(error) };
  }
}
