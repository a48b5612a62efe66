// A real failed run on an ephemeral instance, and the run failure context a sensor gets for it.
import { Instance, buildRunStatusSensorContext, job, op, type RunFailureSensorContext } from "vigil";

export const explodes = op({ name: "explodes" }, () => {
  throw new Error("the warehouse is on fire");
});
export const nightlyEtl = job({ name: "nightly_etl" }, () => explodes());

export interface FailedRun extends AsyncDisposable {
  instance: Instance;
  context: RunFailureSensorContext;
  runId: string;
  failureMessage: string;
}

export async function failRun(sensorName: string): Promise<FailedRun> {
  const instance = await Instance.ephemeral();
  const result = await nightlyEtl.executeInProcess({ instance, raiseOnError: false });
  const event = result.getJobFailureEvent();
  const context = buildRunStatusSensorContext({ sensorName, instance, run: result.run, event }).forRunFailure();
  return { instance, context, runId: result.runId, failureMessage: event.message, [Symbol.asyncDispose]: () => instance.close() };
}
