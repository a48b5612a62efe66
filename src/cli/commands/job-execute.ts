import { randomUUID } from "node:crypto";
import { toError } from "../../errors/index.js";
import { executeJobInProcess } from "../../execution/index.js";
import { markRunFailed } from "../../execution/mark-run-failed.js";
import type { EventLogEntry, Run } from "../../model/index.js";
import type { Instance } from "../../instance/instance.js";
import type { CliContext } from "../cli-context.js";
import { CliFailure } from "../exit-codes.js";
import type { Output } from "../output.js";
import { formatDuration, formatTime, styleStatus } from "../output.js";
import { readRunConfig } from "../read-run-config.js";
import { stopRequested } from "../shutdown.js";

const POLL_MS = 50;

/**
 * `vigil job execute NAME [-c config.yaml|json]`: runs the job now, in this process, against the
 * instance, printing one line per step start and end (with its duration), op logs and
 * materializations as they are stored. A failed run exits 1 with the failing op's error. The run
 * heartbeats while it executes, so if this process is killed a daemon's run monitor fails it;
 * Ctrl-C (or SIGTERM) marks it FAILURE at once ("interrupted") and exits 130.
 */
export async function jobExecute(ctx: CliContext, name: string, options: { config?: string }): Promise<void> {
  const runConfig = options.config === undefined ? {} : readRunConfig(options.config);
  const definitions = await ctx.definitions();
  const job = await ctx.job(name);
  const instance = await ctx.instance();
  const { out } = ctx;
  const runId = randomUUID();
  out.line(`Executing job ${job.name} (run ${runId})`);
  const progress = followRun(instance, runId, out);
  const stop = stopRequested((t) => out.note(t));
  void stop.promise.then((signal) => interrupted(instance, { runId, jobName: job.name }, signal, out));
  let failure: Error | null = null;
  try {
    await executeJobInProcess(job, {
      storage: instance.storage,
      runConfig,
      sharedResources: definitions.resources,
      runId,
      raiseOnError: true,
      heartbeat: instance.runHeartbeat(),
    });
  } catch (error) {
    failure = toError(error);
  } finally {
    stop.dispose();
    await progress.stop();
  }
  const run = await instance.getRun(runId);
  if (run === null) throw failure ?? new Error(`Run "${runId}" of job "${job.name}" was not stored.`);
  out.data(run);
  out.line(`Run ${runId} ${styleStatus(out, run.status)} in ${formatDuration(durationOf(run))}.`);
  if (failure !== null) throw new CliFailure(`Run ${runId} of job "${job.name}" failed: ${failure.message}`);
}

/**
 * Ctrl-C or SIGTERM during the run: ops may be in the middle of anything, so the run is marked
 * FAILURE now (once: a run that finished meanwhile keeps its end) and the process exits 130.
 */
async function interrupted(instance: Instance, run: { runId: string; jobName: string }, signal: string, out: Output): Promise<never> {
  const message = `Run "${run.runId}" of job "${run.jobName}" was interrupted (${signal}) while "vigil job execute" ran it; the run is marked failed.`;
  try {
    if (await markRunFailed(instance.storage, run, message)) out.note(message);
    await instance.close();
  } finally {
    process.exit(130);
  }
}

/** ms between a run's start (or creation) and its end. */
export function durationOf(run: Run): number | null {
  if (run.endedAt === null) return null;
  return run.endedAt - (run.startedAt ?? run.createdAt);
}

/** Prints a run's step events as storage receives them, until `stop()` (which prints the rest). */
function followRun(instance: Instance, runId: string, out: Output): { stop(): Promise<void> } {
  let after = 0;
  let stopped = false;
  const drain = async () => {
    for (const record of await instance.getRunEvents(runId, { afterStorageId: after })) {
      after = record.storageId;
      const line = progressLine(record.entry, out);
      if (line !== null) out.line(line);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      await drain().catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await drain();
    },
  };
}

/** One line for a step start or end, an op log or a materialization; null for other events. */
export function progressLine(entry: EventLogEntry, out: Output): string | null {
  const time = out.style("dim", formatTime(entry.timestamp).slice(11));
  const step = entry.stepKey ?? "";
  switch (entry.event?.eventType) {
    case "STEP_START":
      return `${time}  ${step}  started`;
    case "STEP_SUCCESS":
      return `${time}  ${step}  ${out.style("green", "succeeded")} in ${formatDuration(entry.event.durationMs)}`;
    case "STEP_FAILURE":
      return `${time}  ${step}  ${out.style("red", "failed")} in ${formatDuration(entry.event.durationMs)}: ${entry.event.error?.message ?? entry.message}`;
    case "ASSET_MATERIALIZATION":
      return `${time}  ${step}  ${entry.message}`;
    case "LOG":
      return `${time}  ${step}  ${entry.level} ${entry.message}`;
    default:
      return entry.level === "ERROR" || entry.level === "WARNING" ? `${time}  ${step || "run"}  ${entry.level} ${entry.message}` : null;
  }
}
