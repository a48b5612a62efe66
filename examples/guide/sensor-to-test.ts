// "Testing sensors": a sensor without a context parameter, evaluated directly in a test.
import { RunRequest, sensor } from "vigil";
import { logFileJob } from "./log-file-job.js";

export const sensorToTest = sensor({ name: "sensor_to_test", job: logFileJob }, function* () {
  yield new RunRequest({
    runKey: "foo",
    runConfig: { ops: { process_file: { config: { filename: "foo" } } } },
  });
});
