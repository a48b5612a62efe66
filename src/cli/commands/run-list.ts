import { InvalidArgumentError } from "commander";
import { isRunStatus, RunTag, type Run, type RunStatus } from "../../model/index.js";
import type { CliContext } from "../cli-context.js";
import { formatDuration, formatTime, styleStatus } from "../output.js";
import { durationOf } from "./job-execute.js";

/** Options of `vigil run list`. */
export interface RunListOptions {
  status?: RunStatus[];
  job?: string;
  sensor?: string;
  limit?: number;
}

/** Commander parser of `--status A,B`: run statuses, case-insensitive. */
export function parseStatuses(value: string, previous: RunStatus[] | undefined): RunStatus[] {
  const statuses = value.split(",").map((s) => s.trim().toUpperCase()).filter((s) => s.length > 0);
  for (const status of statuses) {
    if (!isRunStatus(status)) {
      throw new InvalidArgumentError(`"${status}" is not a run status; use one of QUEUED, NOT_STARTED, STARTING, STARTED, SUCCESS, FAILURE, CANCELING, CANCELED.`);
    }
  }
  return [...(previous ?? []), ...(statuses as RunStatus[])];
}

/** Commander parser of `--limit N`. */
export function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a whole number of 1 or more.`);
  return n;
}

/** `vigil run list [--status S] [--job J] [--sensor S] [--limit N]`: runs, newest first. */
export async function runList(ctx: CliContext, options: RunListOptions): Promise<void> {
  const instance = await ctx.instance();
  const runs = await instance.getRuns({
    ...(options.job === undefined ? {} : { jobName: options.job }),
    ...(options.status === undefined ? {} : { statuses: options.status }),
    ...(options.sensor === undefined ? {} : { tags: { [RunTag.SENSOR_NAME]: options.sensor } }),
    limit: options.limit ?? 50,
  });
  const { out } = ctx;
  out.data(runs);
  out.table(
    runs,
    [
      { header: "RUN ID", value: (r: Run) => r.runId },
      { header: "JOB", value: (r) => r.jobName },
      { header: "STATUS", value: (r) => r.status, style: (_r, t) => styleStatus(out, t) },
      { header: "CREATED", value: (r) => formatTime(r.createdAt) },
      { header: "DURATION", value: (r) => formatDuration(durationOf(r)) },
      { header: "SENSOR", value: (r) => r.tags[RunTag.SENSOR_NAME] ?? "-" },
      { header: "RUN KEY", value: (r) => r.tags[RunTag.RUN_KEY] ?? "-" },
    ],
    "No runs.",
  );
}
