// The definitions of the work-queue tests, written into a temporary project. A sensor requests one
// run per line of a trigger file (keys = the lines), tagged with the line's group; a failure sensor
// appends failed runs' ids to a file (an alert sent twice would show twice).
export const QUEUE_DEFS = `import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { DefaultSensorStatus, Definitions, RunRequest, SkipReason, job, op, runFailureSensor, sensor } from "vigil";

const TRIGGER = process.env.QUEUE_TRIGGER ?? "trigger";
const FAILURES = process.env.QUEUE_FAILURES ?? "failures.log";
const WORK_MS = Number(process.env.QUEUE_WORK_MS ?? "0");

const work = op({ name: "work" }, async (context) => {
  console.log("working on " + context.runId);
  await new Promise((r) => setTimeout(r, WORK_MS));
  return 1;
});
export const workJob = job({ name: "work_job" }, () => { work(); });
const sleepy = op({ name: "sleepy" }, async () => { await new Promise((r) => setTimeout(r, 120_000)); });
export const slowJob = job({ name: "slow_job" }, () => { sleepy(); });

const requests = sensor({ name: "requests", jobs: [workJob, slowJob], minimumIntervalSeconds: 1, defaultStatus: DefaultSensorStatus.RUNNING }, () => {
  if (!existsSync(TRIGGER)) return new SkipReason("no trigger file");
  const lines = readFileSync(TRIGGER, "utf8").split("\\n").filter(Boolean);
  return lines.map((line) => {
    const [key, group, jobName] = line.split(" ");
    return new RunRequest({ runKey: key, jobName: jobName ?? "work_job", tags: { group: group ?? "none" } });
  });
});
const onFailure = runFailureSensor({ name: "on_failure", minimumIntervalSeconds: 1, defaultStatus: DefaultSensorStatus.RUNNING }, (context) => {
  appendFileSync(FAILURES, context.run.runId + "\\n");
});
export default new Definitions({ jobs: [workJob, slowJob], sensors: [requests, onFailure] });
`;
