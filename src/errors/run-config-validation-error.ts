import { ErrorCode } from "./codes.js";
import { VigilError } from "./vigil-error.js";

/** One problem found in a run config, at a dotted path such as `ops.process_file.config.filename`. */
export interface RunConfigError {
  path: string;
  message: string;
}

/**
 * Run config does not match its job. `errors` lists every problem found, not just the first, and
 * the message lists them too.
 */
export class RunConfigValidationError extends VigilError {
  readonly jobName: string;
  readonly errors: readonly RunConfigError[];

  constructor(jobName: string, errors: readonly RunConfigError[]) {
    const list = errors.map((e) => `${e.path || "(root)"}: ${e.message}`).join("; ");
    super(
      ErrorCode.RUN_CONFIG_INVALID,
      `Run config for job "${jobName}" is invalid (${errors.length} error${errors.length === 1 ? "" : "s"}): ${list}.`,
    );
    this.jobName = jobName;
    this.errors = errors;
  }
}
