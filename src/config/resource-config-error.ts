import { ErrorCode, VigilError, type RunConfigError } from "../errors/index.js";

/**
 * Config given for a resource does not match its schema (when resources are built outside a run,
 * e.g. by `buildResources`). Same code and `errors` shape as `RunConfigValidationError`, so callers
 * can treat both alike.
 */
export class ResourceConfigError extends VigilError {
  readonly resourceKeys: readonly string[];
  readonly errors: readonly RunConfigError[];

  constructor(resourceKeys: readonly string[], errors: readonly RunConfigError[]) {
    const list = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    const names = resourceKeys.map((k) => `"${k}"`).join(", ");
    super(ErrorCode.RUN_CONFIG_INVALID, `Config for resource ${names} is invalid (${errors.length} error${errors.length === 1 ? "" : "s"}): ${list}.`);
    this.resourceKeys = resourceKeys;
    this.errors = errors;
  }
}
