// "Skipping sensor evaluations": say why no run was requested; the tick is SKIPPED with this message.
import fs from "node:fs";
import path from "node:path";
import { RunRequest, SkipReason, sensor } from "vigil";
import { logFileJob, myDirectory } from "./log-file-job.js";

export const myDirectorySensorWithSkipReasons = sensor({ name: "my_directory_sensor_with_skip_reasons", job: logFileJob }, function* () {
  let hasFiles = false;
  for (const filename of fs.readdirSync(myDirectory())) {
    const filepath = path.join(myDirectory(), filename);
    if (fs.statSync(filepath).isFile()) {
      yield new RunRequest({
        runKey: filename,
        runConfig: { ops: { process_file: { config: { filename } } } },
      });
      hasFiles = true;
    }
  }
  if (!hasFiles) {
    yield new SkipReason(`No files found in ${myDirectory()}.`);
  }
});
