// The definitions of the run liveness tests, written into a temporary project (it imports "vigil"
// as a user's would). Paths come from the environment the test gives the daemon.
export const LIVENESS_DEFS = `import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { DefaultSensorStatus, Definitions, RunRequest, SkipReason, job, op, runFailureSensor, sensor } from "vigil";

const FAILURES = process.env.LIVENESS_FAILURES ?? "failures.log";
const TRIGGER = process.env.LIVENESS_TRIGGER ?? "trigger";
const SLOW_TRIGGER = process.env.LIVENESS_SLOW_TRIGGER ?? "slow-trigger";

const sleepy = op({ name: "sleepy" }, async () => {
  await new Promise((r) => setTimeout(r, 120_000));
});
export const slowJob = job({ name: "slow_job" }, () => { sleepy(); });
const quick = op({ name: "quick" }, () => 1);
export const quickJob = job({ name: "quick_job" }, () => { quick(); });

/** Requests a quick_job run keyed by the trigger file's content, when it exists. */
const trigger = sensor({ name: "trigger", job: quickJob, minimumIntervalSeconds: 1, defaultStatus: DefaultSensorStatus.RUNNING }, () =>
  existsSync(TRIGGER) ? new RunRequest({ runKey: readFileSync(TRIGGER, "utf8").trim() }) : new SkipReason("no trigger file"),
);
/** Requests a slow_job run (executed by a subprocess worker) keyed by the slow trigger file's content. */
const slowTrigger = sensor({ name: "slow_trigger", job: slowJob, minimumIntervalSeconds: 1, defaultStatus: DefaultSensorStatus.RUNNING }, () =>
  existsSync(SLOW_TRIGGER) ? new RunRequest({ runKey: readFileSync(SLOW_TRIGGER, "utf8").trim() }) : new SkipReason("no slow trigger file"),
);
/** Appends each failed run's id to the failures file: a run alerted twice would show twice. */
const onFailure = runFailureSensor({ name: "on_failure", minimumIntervalSeconds: 1, defaultStatus: DefaultSensorStatus.RUNNING }, (context) => {
  appendFileSync(FAILURES, context.run.runId + "\\n");
});

export default new Definitions({ jobs: [slowJob, quickJob], sensors: [trigger, slowTrigger, onFailure] });
`;
