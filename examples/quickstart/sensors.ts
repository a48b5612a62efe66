// Three sensors: one watches the inbox folder, one reacts to the asset process_file
// materializes, one logs every failed run.
import { appendFileSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DefaultSensorStatus, RunRequest, SkipReason, assetSensor, runFailureSensor, sensor } from "vigil";
import { processFileJob, summarizeJob } from "./jobs.js";
import { failuresLog, inboxDir } from "./paths.js";

/**
 * One process_file run per new file. The cursor is the newest change time (ctime) seen, so each
 * tick only looks at files that arrived since (a moved-in file keeps its old mtime, but its ctime
 * is new); the run key (name + modification time) makes sure a file runs once, and again only if
 * its content is rewritten.
 */
export const newFileSensor = sensor(
  { name: "new_file_sensor", job: processFileJob, minimumIntervalSeconds: 2, defaultStatus: DefaultSensorStatus.RUNNING },
  (context) => {
    const dir = inboxDir();
    mkdirSync(dir, { recursive: true });
    const since = Number(context.cursor ?? 0);
    const files = readdirSync(dir)
      .filter((name) => !name.startsWith("."))
      .map((name) => {
        const stat = statSync(join(dir, name));
        return { name, mtime: Math.floor(stat.mtimeMs), ctime: Math.floor(stat.ctimeMs) };
      })
      .filter((f) => f.ctime >= since)
      .sort((a, b) => a.ctime - b.ctime || a.name.localeCompare(b.name));
    if (files.length === 0) return new SkipReason(`No new files in ${dir}.`);
    context.updateCursor(String(Math.max(...files.map((f) => f.ctime))));
    return files.map((f) => new RunRequest({ runKey: `${f.name}@${f.mtime}`, runConfig: { ops: { read_file: { config: { file: f.name } } } }, tags: { file: f.name } }));
  },
);

/** Each new materialization of "file_reports" launches summarize_reports (cursor managed by Vigil). */
export const reportSensor = assetSensor(
  { name: "report_sensor", assetKey: "file_reports", job: summarizeJob, minimumIntervalSeconds: 2, defaultStatus: DefaultSensorStatus.RUNNING },
  (context, assetEvent) =>
    new RunRequest({
      runKey: context.cursor ?? undefined,
      runConfig: { ops: { summarize: { config: { trigger: String(assetEvent.event?.materialization?.metadata.file ?? "a report") } } } },
    }),
);

/** Logs every failed run: to the sensor log, to stderr (shown by `vigil dev`) and to failures.log. */
export const logFailures = runFailureSensor({ name: "log_failures", minimumIntervalSeconds: 2, defaultStatus: DefaultSensorStatus.RUNNING }, (context) => {
  const line = `Run ${context.run.runId} of ${context.run.jobName} failed: ${context.failureEvent.message}`;
  context.log.error(line);
  console.error(`[log_failures] ${line}`);
  appendFileSync(failuresLog(), `${new Date().toISOString()} ${line}\n`);
});
