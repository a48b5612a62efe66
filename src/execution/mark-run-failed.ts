import { ErrorCode, serializeError, VigilError } from "../errors/index.js";
import { EventType, RunStatus, type Run } from "../model/index.js";
import type { Storage } from "../storage/storage.js";

/**
 * @internal
 * Moves a run to `FAILURE` with a RUN_FAILURE event carrying `message` (and `error`, if given).
 * Returns false, writing nothing, when the run has already finished (someone else ended it first:
 * the transition check in `storeEvents` makes this exactly-once).
 */
export async function markRunFailed(storage: Storage, run: Pick<Run, "runId" | "jobName">, message: string, error?: unknown): Promise<boolean> {
  try {
    await storage.storeEvents([
      {
        runId: run.runId,
        jobName: run.jobName,
        timestamp: Date.now(),
        level: "ERROR",
        message,
        event: { eventType: EventType.RUN_FAILURE, runStatus: RunStatus.FAILURE, error: serializeError(error ?? new Error(message)) },
      },
    ]);
    return true;
  } catch (thrown) {
    if (VigilError.is(thrown, ErrorCode.INVALID_STATUS_TRANSITION)) return false;
    throw thrown;
  }
}

/**
 * @internal
 * Moves a run to `CANCELED` with a RUN_CANCELED event carrying `message`. Returns false, writing
 * nothing, when the run has already finished.
 */
export async function markRunCanceled(storage: Storage, run: Pick<Run, "runId" | "jobName">, message: string): Promise<boolean> {
  try {
    await storage.storeEvents([
      { runId: run.runId, jobName: run.jobName, timestamp: Date.now(), level: "WARNING", message, event: { eventType: EventType.RUN_CANCELED, runStatus: RunStatus.CANCELED } },
    ]);
    return true;
  } catch (thrown) {
    if (VigilError.is(thrown, ErrorCode.INVALID_STATUS_TRANSITION)) return false;
    throw thrown;
  }
}
