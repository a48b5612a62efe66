import { initial } from "./0001-initial.js";
import { ownership } from "./0002-ownership.js";
import { queueAndRunLogs } from "./0003-queue-and-run-logs.js";
import type { VigilMigration } from "./migration.js";

/** Every migration, oldest first, shared by all dialects. Append only. */
export const MIGRATIONS: readonly VigilMigration[] = [initial, ownership, queueAndRunLogs];
