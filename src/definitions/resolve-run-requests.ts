import { RunConfigValidationError } from "../errors/index.js";
import { RunTag } from "../model/index.js";
import type { AnyJobDefinition } from "./job.js";
import type { RunRequest } from "./run-request.js";
import { ownSensorError, sensorDefinitionProblem, sensorMisuse } from "./sensor-errors.js";
import { validateRunConfigWith } from "./validate-run-config.js";

/**
 * @internal Resolves each request's target job among the sensor's `jobs` (REFERENCE 1.3), tags it
 * `vigil/sensor_name`, and validates its run config against that job, so nothing invalid is ever
 * stored. Throws naming the sensor (and the valid job names, or the bad config path).
 */
export function resolveRunRequests(sensorName: string, jobs: readonly AnyJobDefinition[], requests: readonly RunRequest[]): RunRequest[] {
  return requests.map((request) => {
    const job = targetOf(sensorName, jobs, request);
    try {
      validateRunConfigWith(job, request.runConfig, {});
    } catch (error) {
      if (!(error instanceof RunConfigValidationError)) throw error;
      throw sensorRunConfigError(sensorName, request, error);
    }
    return request.with({ jobName: job.name, tags: { ...request.tags, [RunTag.SENSOR_NAME]: sensorName } });
  });
}

function targetOf(sensorName: string, jobs: readonly AnyJobDefinition[], request: RunRequest): AnyJobDefinition {
  const what = describeRequest(request);
  const expected = jobs.map((j) => JSON.stringify(j.name)).join(", ");
  if (jobs.length === 0) {
    throw sensorDefinitionProblem(
      sensorName,
      `it returned ${what} but the sensor lacks a target; give it a job (or jobs) option naming the job to launch.`,
    );
  }
  if (request.jobName === undefined) {
    const [only] = jobs;
    if (jobs.length === 1 && only !== undefined) return only;
    throw sensorMisuse(sensorName, `it returned ${what} that did not specify jobName, but the sensor targets several jobs; set jobName to one of: ${expected}.`);
  }
  const job = jobs.find((j) => j.name === request.jobName);
  if (job === undefined) {
    throw sensorMisuse(sensorName, `it returned ${what} with jobName "${request.jobName}", which is not among its targets; expected one of: ${expected}.`);
  }
  return job;
}

function describeRequest(request: RunRequest): string {
  return request.runKey === undefined ? "a RunRequest" : `a RunRequest (run key ${JSON.stringify(request.runKey)})`;
}

function sensorRunConfigError(sensorName: string, request: RunRequest, cause: RunConfigValidationError): RunConfigValidationError {
  const error = new RunConfigValidationError(cause.jobName, cause.errors);
  const list = cause.errors.map((e) => `${e.path || "(root)"}: ${e.message}`).join("; ");
  error.message = `Error in sensor "${sensorName}": ${describeRequest(request)} has invalid run config for job "${cause.jobName}" (${list}); fix the run config the sensor builds.`;
  error.stack = `${error.name}: ${error.message}\n${(cause.stack ?? "").split("\n").slice(1).join("\n")}`;
  return ownSensorError(error);
}
