import { checkRunConfig, type ParsedRunConfig } from "../config/index.js";
import { RunConfigValidationError } from "../errors/index.js";
import type { AnyJobDefinition, JobDefinition } from "./job.js";
import type { ResourceDefinition } from "./resource.js";

/**
 * Checks run config against a job: known op and resource names, each config parsed by its zod
 * schema. Returns the parsed config (defaults applied); throws `RunConfigValidationError` listing
 * every error, each at a path like `ops.process_file.config.filename`.
 *
 * @example
 * const parsed = validateRunConfig(logFileJob, { ops: { process_file: { config: { filename: "a.csv" } } } });
 * parsed.ops.process_file?.config; // { filename: "a.csv" }
 */
export function validateRunConfig<TRunConfig>(job: JobDefinition<TRunConfig>, runConfig: TRunConfig | undefined): ParsedRunConfig {
  return validateRunConfigWith(job, runConfig, {});
}

/** @internal As `validateRunConfig`, with run-specific resources over the job's own. */
export function validateRunConfigWith(job: AnyJobDefinition, runConfig: unknown, resources: Readonly<Record<string, ResourceDefinition>>): ParsedRunConfig {
  const result = checkRunConfig(job.runConfigShape(resources), runConfig);
  if (!result.ok) throw new RunConfigValidationError(job.name, result.errors);
  return result.value;
}
