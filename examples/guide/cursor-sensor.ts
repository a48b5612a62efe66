// "Sensor optimizations using cursors": only files modified after the cursor (the newest mtime seen).
import fs from "node:fs";
import path from "node:path";
import { RunRequest, sensor } from "vigil";
import { logFileJob, myDirectory } from "./log-file-job.js";

export const myDirectorySensorCursor = sensor({ name: "my_directory_sensor_cursor", job: logFileJob }, function* (context) {
  const lastMtime = context.cursor ? Number.parseFloat(context.cursor) : 0;

  let maxMtime = lastMtime;
  for (const filename of fs.readdirSync(myDirectory())) {
    const filepath = path.join(myDirectory(), filename);
    const fstats = fs.statSync(filepath);
    if (fstats.isFile()) {
      const fileMtime = fstats.mtimeMs;
      if (fileMtime <= lastMtime) continue;

      // the run key should include mtime if we want to kick off new runs based on file modifications
      const runKey = `${filename}:${fileMtime}`;
      const runConfig = { ops: { process_file: { config: { filename } } } };
      yield new RunRequest({ runKey, runConfig });
      maxMtime = Math.max(maxMtime, fileMtime);
    }
  }

  context.updateCursor(String(maxMtime));
});
