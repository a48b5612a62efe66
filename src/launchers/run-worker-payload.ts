import type { StorageOpener } from "./storage-opener.js";

/** @internal The environment variable carrying a run worker's payload (not argv: it may hold a database password). */
export const RUN_WORKER_ENV = "VIGIL_RUN_WORKER";

/** @internal What a run worker process needs: which run, which code, which storage. */
export interface RunWorkerPayload {
  runId: string;
  definitionsFile: string;
  storage: StorageOpener;
}
