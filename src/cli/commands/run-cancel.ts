import { InvalidArgumentError } from "../../errors/index.js";
import { EventType, isTerminalRunStatus, RunStatus } from "../../model/index.js";
import type { CliContext } from "../cli-context.js";
import { requireRun } from "./run-show.js";

/** Statuses a run is canceled from at once: nothing executes it yet. */
const NOT_RUNNING: readonly RunStatus[] = [RunStatus.QUEUED, RunStatus.NOT_STARTED];

/**
 * `vigil run cancel ID`: a run that has not started (QUEUED, NOT_STARTED) becomes CANCELED; a run
 * that is starting or running becomes CANCELING, and whoever executes it finishes the cancel. Both
 * are run status events, so run status sensors see them. A finished run is an error.
 */
export async function runCancel(ctx: CliContext, runId: string): Promise<void> {
  const instance = await ctx.instance();
  const run = await requireRun(instance, runId);
  const { out } = ctx;
  if (isTerminalRunStatus(run.status)) {
    throw new InvalidArgumentError(`Run "${runId}" has already finished (${run.status}); only a queued or running run can be canceled.`);
  }
  if (run.status === RunStatus.CANCELING) {
    out.data(run);
    out.line(`Run ${runId} is already being canceled.`);
    return;
  }
  const immediate = NOT_RUNNING.includes(run.status);
  const status = immediate ? RunStatus.CANCELED : RunStatus.CANCELING;
  await instance.storage.storeEvents([
    {
      runId,
      jobName: run.jobName,
      timestamp: Date.now(),
      level: immediate ? "INFO" : "WARNING",
      message: immediate ? "Run canceled from the CLI before it started." : "Cancel requested from the CLI; the run will stop.",
      event: { eventType: immediate ? EventType.RUN_CANCELED : EventType.RUN_CANCELING, runStatus: status },
    },
  ]);
  const updated = (await instance.getRun(runId)) ?? run;
  out.data(updated);
  out.line(immediate ? `Canceled run ${runId}.` : `Canceling run ${runId} (it was ${run.status}); it stops once its worker sees the request.`);
}
