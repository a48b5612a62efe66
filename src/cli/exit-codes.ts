/** The exit codes of the `vigil` command (SPEC §2). */
export const ExitCode = {
  /** Done. */
  OK: 0,
  /** A runtime error: an unknown sensor, job or run, definitions that fail to load, a failed run. */
  RUNTIME: 1,
  /** A usage error: an unknown command, a missing argument or flag. */
  USAGE: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A mistake in how `vigil` was called (exit code 2), as opposed to a runtime error (exit code 1).
 * Its message is one sentence saying what to type instead.
 *
 * @example
 * throw new UsageError('Give exactly one of --set <cursor> or --delete.');
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A runtime failure already reported to the user (e.g. a failed run whose steps were printed):
 * the CLI exits 1 and prints `message` on stderr.
 */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliFailure";
  }
}
