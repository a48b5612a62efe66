// "Evaluation Interval": minimumIntervalSeconds is the least time between two evaluations' starts.
import { RunRequest, sensor } from "vigil";
import { myJob } from "./my-job.js";

export const sensorA = sensor({ name: "sensor_A", job: myJob, minimumIntervalSeconds: 30 }, function* () {
  yield new RunRequest({ runConfig: {} });
});

export const sensorB = sensor({ name: "sensor_B", job: myJob, minimumIntervalSeconds: 45 }, function* () {
  yield new RunRequest({ runConfig: {} });
});
