// The quick start: `npm start` runs `vigil dev -f examples/quickstart/defs.ts`. Drop a file into
// examples/quickstart/inbox/ and watch a process_file run, then summarize_reports, start.
import { Definitions } from "vigil";
import { processFileJob, summarizeJob } from "./jobs.js";
import { logFailures, newFileSensor, reportSensor } from "./sensors.js";

export default new Definitions({
  jobs: [processFileJob, summarizeJob],
  sensors: [newFileSensor, reportSensor, logFailures],
});
