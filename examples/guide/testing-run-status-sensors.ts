// "Testing run status sensors": the sensors and the jobs the tests run to build their contexts.
import { RunStatus, job, op, runFailureSensor, runStatusSensor, type RunFailureSensorContext, type RunStatusSensorContext } from "vigil";
import { notify } from "./notify.js";

export const emailAlert = notify;

export const myEmailSensor = runStatusSensor({ name: "my_email_sensor", runStatus: RunStatus.SUCCESS }, async (context: RunStatusSensorContext) => {
  const message = `Job "${context.run.jobName}" succeeded.`;
  await emailAlert(message);
});

export const succeeds = op({ name: "succeeds" }, () => 1);
export const myJobSucceeds = job({ name: "my_job_succeeds" }, () => succeeds());

export const myEmailFailureSensor = runFailureSensor({ name: "my_email_failure_sensor" }, async (context: RunFailureSensorContext) => {
  const message = `Job "${context.run.jobName}" failed. Error: ${context.failureEvent.message}`;
  await emailAlert(message);
});

export const fails = op({ name: "fails" }, () => {
  throw new Error("failure!");
});
export const myJobFails = job({ name: "my_job_fails" }, () => fails());
