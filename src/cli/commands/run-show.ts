import { NotFoundError } from "../../errors/index.js";
import type { Instance } from "../../instance/instance.js";
import type { EventLogRecord, Run } from "../../model/index.js";
import type { CliContext } from "../cli-context.js";
import { formatDuration, formatTime, styleStatus } from "../output.js";
import { durationOf } from "./job-execute.js";

/** The run `runId`; a `NotFoundError` naming it when it does not exist. */
export async function requireRun(instance: Instance, runId: string): Promise<Run> {
  const run = await instance.getRun(runId);
  if (run === null) throw new NotFoundError("run", runId, `Run "${runId}" does not exist in this instance; list runs with "vigil run list".`);
  return run;
}

/** `vigil run show ID`: the run and its event log (`--json`: `{ run, events }`). */
export async function runShow(ctx: CliContext, runId: string): Promise<void> {
  const instance = await ctx.instance();
  const run = await requireRun(instance, runId);
  const events = await instance.getRunEvents(runId);
  const { out } = ctx;
  out.data({ run, events });
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
