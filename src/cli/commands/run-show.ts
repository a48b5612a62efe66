import { NotFoundError } from "../../errors/index.js";
import type { Instance } from "../../instance/instance.js";
import type { EventLogRecord, Run, RunQueueInfo } from "../../model/index.js";
import type { CliContext } from "../cli-context.js";
import { formatDuration, formatTime, styleStatus } from "../output.js";
import { durationOf } from "./job-execute.js";

/** The run `runId`; a `NotFoundError` naming it when it does not exist. */
export async function requireRun(instance: Instance, runId: string): Promise<Run> {
  const run = await instance.getRun(runId);
  if (run === null) throw new NotFoundError("run", runId, `Run "${runId}" does not exist in this instance; list runs with "vigil run list".`);
  return run;
}

/** Why a queued run waits, in one line. */
export function describeQueue(info: RunQueueInfo): string {
  const position = `position ${info.position} in the queue`;
  if (info.blockedBy.length === 0) return `${position}; no limit holds it back (it waits for a daemon to claim it)`;
  const limits = info.blockedBy.map((b) => `${b.key === "maxConcurrentRuns" ? "maxConcurrentRuns" : `tag ${b.key}${b.value === undefined ? "" : `=${b.value}`}`} (${b.inFlight}/${b.limit} in flight)`);
  return `${position}; waiting for ${limits.join(", ")}`;
}

/** `vigil run show ID`: the run, why it waits if queued, and its event log (`--json`: `{ run, events, queueInfo }`). */
export async function runShow(ctx: CliContext, runId: string): Promise<void> {
  const instance = await ctx.instance();
  const run = await requireRun(instance, runId);
  const events = await instance.getRunEvents(runId);
  const queueInfo = run.status === "QUEUED" ? await instance.getRunQueueInfo(runId) : null;
  const { out } = ctx;
  out.data({ run, events, queueInfo });
  const fields: [string, string][] = [
    ["Run", run.runId],
    ["Job", run.jobName],
    ["Status", styleStatus(out, run.status)],
    ["Created", formatTime(run.createdAt)],
    ["Started", formatTime(run.startedAt)],
    ["Ended", formatTime(run.endedAt)],
    ["Duration", formatDuration(durationOf(run))],
    ["Tags", Object.keys(run.tags).length === 0 ? "-" : Object.entries(run.tags).map(([k, v]) => `${k}=${v}`).join(", ")],
    ["Run config", JSON.stringify(run.runConfig)],
    ...(queueInfo === null ? [] : ([["Queue", describeQueue(queueInfo)]] as [string, string][])),
  ];
  for (const [label, value] of fields) out.line(`${`${label}:`.padEnd(12)}${value}`);
  out.line();
  out.table(
    events,
    [
      { header: "TIME", value: (e: EventLogRecord) => formatTime(e.entry.timestamp) },
      { header: "STEP", value: (e) => e.entry.stepKey ?? "-" },
      { header: "EVENT", value: (e) => e.entry.event?.eventType ?? e.entry.level },
      { header: "MESSAGE", value: (e) => e.entry.message.split("\n")[0] ?? "" },
    ],
    "No events.",
  );
}
