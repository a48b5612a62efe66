// "Defining a sensor": one RunRequest per file in MY_DIRECTORY, the filename as run key, so each
// file gets exactly one run however often the sensor is evaluated.
import fs from "node:fs";
import path from "node:path";
import { DefaultSensorStatus, RunRequest, sensor } from "vigil";
import { logFileJob, myDirectory } from "./log-file-job.js";

export const myDirectorySensor = sensor({ name: "my_directory_sensor", job: logFileJob }, function* () {
  for (const filename of fs.readdirSync(myDirectory())) {
    const filepath = path.join(myDirectory(), filename);
    if (fs.statSync(filepath).isFile()) {
      yield new RunRequest({
        runKey: filename,
        runConfig: { ops: { process_file: { config: { filename } } } },
      });
    }
  }
});

// Started as soon as the daemon sees it; a start/stop from the UI or CLI overrides this.
export const myRunningSensor = sensor(
  { name: "my_running_sensor", job: logFileJob, defaultStatus: DefaultSensorStatus.RUNNING },
  function* () {
    for (const filename of fs.readdirSync(myDirectory())) {
      yield new RunRequest({ runKey: filename, runConfig: { ops: { process_file: { config: { filename } } } } });
    }
  },
);
