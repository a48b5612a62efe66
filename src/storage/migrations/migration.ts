import type { Kysely } from "kysely";
import type { DdlCapabilities } from "../dialect-capabilities.js";

/**
 * One step of the schema's history. Migrations are append-only: never rename, reorder or edit a
 * released one; add `NNNN-short-slug.ts` instead. The same list runs on every dialect, with the
 * dialect's DDL differences passed in.
 */
export interface VigilMigration {
  /** `NNNN-short-slug`; Kysely orders migrations by this name. */
  readonly name: string;
  up(db: Kysely<unknown>, ddl: DdlCapabilities): Promise<void>;
}
