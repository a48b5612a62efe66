/**
 * Every stable error code Vigil throws. Codes are part of the public contract: test `error.code`
 * (or `VigilError.is(error, code)`), never the class, across threads and processes.
 */
export const ErrorCode = {
  /** A definition (op, job, sensor, resource, Definitions) is malformed or inconsistent. */
  DEFINITION_INVALID: "DEFINITION_INVALID",
  /** Run config does not match the job's config schema. */
  RUN_CONFIG_INVALID: "RUN_CONFIG_INVALID",
  /** User code (an op, sensor or resource) threw. */
  USER_CODE_ERROR: "USER_CODE_ERROR",
  /** A run, sensor, job or other named thing does not exist. */
  NOT_FOUND: "NOT_FOUND",
  /** A storage operation failed. */
  STORAGE_ERROR: "STORAGE_ERROR",
  /** The database could not be reached. */
  STORAGE_UNREACHABLE: "STORAGE_UNREACHABLE",
  /** `vigil.yaml` is malformed. */
  INSTANCE_CONFIG_INVALID: "INSTANCE_CONFIG_INVALID",
  /** An API was called with an argument it cannot accept. */
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  /** A run or tick was asked to move to a status it cannot reach from its current one. */
  INVALID_STATUS_TRANSITION: "INVALID_STATUS_TRANSITION",
  /** Something took longer than it was allowed to. */
  TIMEOUT: "TIMEOUT",
  /** A daemon acted on a sensor (or other leased work) whose lease it no longer holds. */
  LEASE_LOST: "LEASE_LOST",
  /** Another daemon already serves an instance that allows only one (SQLite). */
  DAEMON_CONFLICT: "DAEMON_CONFLICT",
  /** A bug in Vigil. */
  INVARIANT_VIOLATED: "INVARIANT_VIOLATED",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
