// Where the quick start reads and writes: next to this file, or under $QUICKSTART_DIR (the tests
// use a temporary folder).
import { join } from "node:path";

/** The folder holding inbox/, reports/ and failures.log. */
export function quickstartDir(): string {
  return process.env.QUICKSTART_DIR ?? import.meta.dirname;
}

/** Drop files here: the new_file_sensor launches a process_file run for each. */
export const inboxDir = (): string => join(quickstartDir(), "inbox");

/** process_file writes one JSON report per file here. */
export const reportsDir = (): string => join(quickstartDir(), "reports");

/** log_failures appends a line here for every failed run. */
export const failuresLog = (): string => join(quickstartDir(), "failures.log");
