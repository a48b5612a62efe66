// "Run status sensors": report every successful run of this Definitions' jobs.
import { RunStatus, runStatusSensor, type RunStatusSensorContext } from "vigil";
import { notify } from "./notify.js";

export const myNotifyOnRunSuccess = runStatusSensor({ name: "my_notify_on_run_success", runStatus: RunStatus.SUCCESS }, async (context: RunStatusSensorContext) => {
  await notify(`Job "${context.run.jobName}" succeeded.`);
});
