// Definitions loaded by path (in worker threads) by worker.test.ts: one sensor stuck in a
// synchronous loop, one that requests a run, one that reads the instance through its context.
import { Definitions } from "../../src/definitions/definitions.js";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { sensor } from "../../src/definitions/sensor.js";
import { SkipReason } from "../../src/definitions/skip-reason.js";

const work = op({ name: "work" }, () => 1);
const workJob = job({ name: "work_job" }, () => {
  work();
});

const stuck = sensor({ name: "stuck", job: workJob, defaultStatus: DefaultSensorStatus.RUNNING, minimumIntervalSeconds: 1, timeoutSeconds: 2 }, () => {
  for (;;) {
    // A synchronous loop: only killing the thread stops it.
  }
});

const quick = sensor({ name: "quick", job: workJob, defaultStatus: DefaultSensorStatus.RUNNING, minimumIntervalSeconds: 1 }, (context) => {
  const n = Number(context.cursor ?? "0") + 1;
  context.updateCursor(String(n));
  return new RunRequest({ runKey: `quick-${n}` });
});

const reader = sensor({ name: "reader", job: workJob, defaultStatus: DefaultSensorStatus.RUNNING, minimumIntervalSeconds: 1 }, async (context) => {
  const runs = await context.instance.getRuns({ jobName: "work_job" });
  return new SkipReason(`saw ${runs.length} run(s)`);
});

export default new Definitions({ jobs: [workJob], sensors: [stuck, quick, reader] });
