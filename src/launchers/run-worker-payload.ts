import type { StorageOpener } from "./storage-opener.js";

/** @internal The environment variable carrying a run worker's payload (not argv: it may hold a database password). */
export const RUN_WORKER_ENV = "VIGIL_RUN_WORKER";

/** @internal What a run worker process needs before it is given a run: which code, which storage. */
export interface RunWorkerPayload {
  definitionsFile: string;
  storage: StorageOpener;
  /** How often the worker heartbeats, and how long one beat keeps it registered (ms). */
  heartbeat: { intervalMs: number; ttlMs: number };
}

/** @internal Messages a warm worker sends its launcher over IPC. */
export type WorkerToLauncher =
  /** Storage is open and the definitions module loaded (or failed to load: the run will say so). */
  | { type: "ready"; processId: string }
  /** The worker took run `runId` and closes the channel; from here on it lives on its own. */
  | { type: "started"; runId: string };

/** @internal The message a launcher sends a warm worker: execute this run, then exit. */
export interface LauncherToWorker {
  type: "run";
  runId: string;
}

/** @internal True for a `WorkerToLauncher` message of type `type`. */
export function isWorkerMessage<T extends WorkerToLauncher["type"]>(message: unknown, type: T): message is Extract<WorkerToLauncher, { type: T }> {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;
}
