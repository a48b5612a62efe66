// "Job failure sensor": report every failed run, with the error of the op that failed.
import { runFailureSensor, type RunFailureSensorContext } from "vigil";
import { notify } from "./notify.js";

export const myNotifyOnRunFailure = runFailureSensor({ name: "my_notify_on_run_failure" }, async (context: RunFailureSensorContext) => {
  await notify(`Job "${context.run.jobName}" failed. Error: ${context.failureEvent.message}`);
});
