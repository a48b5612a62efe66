// The definitions the crash suite's daemon process runs: one sensor that requests several runs
// with run keys (one of them twice) and one without, and sets a cursor.
import { Definitions } from "../../src/definitions/definitions.js";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { sensor } from "../../src/definitions/sensor.js";

export const CRASH_RUN_KEYS = ["k1", "k2", "k3"];
export const CRASH_CURSOR = "cursor-after-k3";

const work = op({ name: "work" }, () => "done");
const workJob = job({ name: "work_job" }, () => {
  work();
});

const crashSensor = sensor({ name: "crash_sensor", job: workJob, defaultStatus: DefaultSensorStatus.RUNNING }, (context) => {
  context.updateCursor(CRASH_CURSOR);
  return [...CRASH_RUN_KEYS.map((runKey) => new RunRequest({ runKey })), new RunRequest({ runKey: "k1" })];
});

export default new Definitions({ jobs: [workJob], sensors: [crashSensor] });
