import { RunStatus } from "../../model/index.js";
import type { CliContext } from "../cli-context.js";
import { requireRun } from "./run-show.js";

/**
 * `vigil run cancel ID`: a run that has not started (QUEUED, NOT_STARTED) becomes CANCELED; a run
 * that is starting or running becomes CANCELING, and its worker is asked to stop (see
 * `Instance.cancelRun`). Both are run status events, so run status sensors see them. `--force`
 * ends a starting, running or canceling run CANCELED at once. A finished run is an error.
 */
export async function runCancel(ctx: CliContext, runId: string, options: { force?: boolean } = {}): Promise<void> {
  const instance = await ctx.instance();
  const run = await requireRun(instance, runId);
  const { out } = ctx;
  if (options.force === true) {
    const updated = await instance.cancelRun(runId, { force: true });
    out.data(updated);
    out.line(`Canceled run ${runId} with force (it was ${run.status}); a worker still running it stops at its next heartbeat.`);
    return;
  }
  if (run.status === RunStatus.CANCELING) {
    out.data(run);
    out.line(`Run ${runId} is already being canceled.`);
    return;
  }
  const updated = await instance.cancelRun(runId);
  out.data(updated);
  out.line(updated.status === RunStatus.CANCELED ? `Canceled run ${runId}.` : `Canceling run ${runId} (it was ${run.status}); it stops once its worker sees the request; "vigil run cancel ${runId} --force" ends it now.`);
}
