import { RunConfigValidationError } from "../errors/index.js";
import { RunTag } from "../model/index.js";
import type { AnyJobDefinition } from "./job.js";
import { ValidRunConfigs } from "./run-config-cache.js";
import { resolvedRunRequest, type RunRequest } from "./run-request.js";
import { ownSensorError, sensorDefinitionProblem, sensorMisuse } from "./sensor-errors.js";
import { validateRunConfigWith } from "./validate-run-config.js";

/**
 * @internal Resolves each request's target job among the sensor's `jobs` (REFERENCE 1.3), tags it
 * `vigil/sensor_name`, and validates its run config against that job, so nothing invalid is ever
 * stored. Throws naming the sensor (and the valid job names, or the bad config path).
 */
export function resolveRunRequests(sensorName: string, jobs: readonly AnyJobDefinition[], requests: readonly RunRequest[]): RunRequest[] {
  // A tick may carry 100,000 requests: each distinct config is validated once per job, and requests
  // without tags of their own share one frozen tag object.
  const valid = new ValidRunConfigs();
  const sensorTagsOnly = Object.freeze({ [RunTag.SENSOR_NAME]: sensorName });
  return requests.map((request) => {
    const job = targetOf(sensorName, jobs, request);
    const cached = valid.lookup(job, request.runConfig);
    if (!cached.known) {
      try {
        validateRunConfigWith(job, request.runConfig, {});
      } catch (error) {
        if (!(error instanceof RunConfigValidationError)) throw error;
        throw sensorRunConfigError(sensorName, request, error);
      }
      cached.remember();
    }
    const tags = hasKeys(request.tags) ? Object.freeze({ ...request.tags, [RunTag.SENSOR_NAME]: sensorName }) : sensorTagsOnly;
    return resolvedRunRequest(request, job.name, tags);
  });
}

function hasKeys(record: Readonly<Record<string, string>> | undefined): record is Readonly<Record<string, string>> {
  for (const _ in record) return true;
  return false;
}

function targetOf(sensorName: string, jobs: readonly AnyJobDefinition[], request: RunRequest): AnyJobDefinition {
  // Messages are built only when thrown (no per-request closures: this runs once per request).
  if (jobs.length === 0) {
    throw sensorDefinitionProblem(
      sensorName,
      `it returned ${describeRequest(request)} but the sensor lacks a target; give it a job (or jobs) option naming the job to launch.`,
    );
  }
  if (request.jobName === undefined) {
    const [only] = jobs;
    if (jobs.length === 1 && only !== undefined) return only;
    throw sensorMisuse(sensorName, `it returned ${describeRequest(request)} that did not specify jobName, but the sensor targets several jobs; set jobName to one of: ${expectedJobs(jobs)}.`);
  }
  const job = jobs.find((j) => j.name === request.jobName);
  if (job === undefined) {
    throw sensorMisuse(sensorName, `it returned ${describeRequest(request)} with jobName "${request.jobName}", which is not among its targets; expected one of: ${expectedJobs(jobs)}.`);
  }
  return job;
}

function expectedJobs(jobs: readonly AnyJobDefinition[]): string {
  return jobs.map((j) => JSON.stringify(j.name)).join(", ");
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
