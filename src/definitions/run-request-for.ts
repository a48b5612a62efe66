import { InvalidArgumentError } from "../errors/index.js";
import type { AnyJobDefinition, InferRunConfig } from "./job.js";
import { RunRequest, describeValue } from "./run-request.js";
import { isJobDefinition } from "./sensor-options.js";

/** Options of `runRequestFor(job, ...)`: `runConfig` typed from the job (required when the job needs config). */
export type RunRequestForOptions<TJob> = {
  runKey?: string;
  tags?: Record<string, string>;
} & (Record<string, never> extends InferRunConfig<TJob> ? { runConfig?: InferRunConfig<TJob> } : { runConfig: InferRunConfig<TJob> });

/**
 * A `RunRequest` for `job`, whose `runConfig` is checked against the job's config types at compile
 * time (and, as always, at evaluation). Its `jobName` is set to the job's name.
 *
 * @example
 * yield runRequestFor(logFileJob, { runKey: filename, runConfig: { ops: { process_file: { config: { filename } } } } });
 * @see docs/sensors.md
 */
export function runRequestFor<TJob extends AnyJobDefinition>(job: TJob, options: RunRequestForOptions<TJob>): RunRequest {
  if (!isJobDefinition(job)) {
    throw new InvalidArgumentError(`runRequestFor() was given ${describeValue(job)}, which is not a job; pass one made by job(...).`);
  }
  const { runKey, tags, runConfig } = options as { runKey?: string; tags?: Record<string, string>; runConfig?: Record<string, unknown> };
  return new RunRequest({
    jobName: job.name,
    ...(runKey === undefined ? {} : { runKey }),
    ...(tags === undefined ? {} : { tags }),
    ...(runConfig === undefined ? {} : { runConfig }),
  });
}
