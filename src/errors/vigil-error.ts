import { ErrorCode } from "./codes.js";

/** Options every Vigil error accepts. */
export interface VigilErrorOptions {
  /** The error this one wraps. */
  cause?: unknown;
}

const knownCodes = new Set<string>(Object.values(ErrorCode));

/**
 * The base of every error Vigil throws. Its message is one plain sentence naming the thing and
 * what to do; its `code` is stable and survives serialisation across threads and processes.
 *
 * @example
 * try { validateRunConfig(job, config) } catch (e) { if (VigilError.is(e, ErrorCode.RUN_CONFIG_INVALID)) … }
 */
export class VigilError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: VigilErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  /**
   * True when `error` is a Vigil error (optionally of `code`). Judged by `code`, not `instanceof`,
   * so it also holds for errors that crossed a thread or process boundary.
   */
  static is(error: unknown, code?: ErrorCode): error is VigilError {
    if (typeof error !== "object" || error === null) return false;
    const actual = (error as { code?: unknown }).code;
    if (typeof actual !== "string" || !knownCodes.has(actual)) return false;
    return code === undefined || actual === code;
  }
}
