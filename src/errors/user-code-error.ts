import { ErrorCode } from "./codes.js";
import { toError } from "./serialize-error.js";
import { VigilError } from "./vigil-error.js";

/** What kind of user code threw. */
export type UserCodeKind = "op" | "sensor" | "resource" | "teardown" | "hook";

/**
 * Wraps whatever user code threw. The message leads with who threw and carries the user's own
 * message; `cause` keeps the original error with its stack.
 */
export class UserCodeError extends VigilError {
  readonly kind: UserCodeKind;
  readonly definitionName: string;
  /** The original error's message, without Vigil's prefix. */
  readonly userMessage: string;

  constructor(kind: UserCodeKind, definitionName: string, cause: unknown) {
    const original = toError(cause);
    super(ErrorCode.USER_CODE_ERROR, `Error in ${kind} "${definitionName}": ${original.message}`, { cause: original });
    this.kind = kind;
    this.definitionName = definitionName;
    this.userMessage = original.message;
    // The user's stack is the one that helps; keep ours only as the first line.
    if (original.stack) this.stack = `${this.name}: ${this.message}\n${stackFrames(original.stack)}`;
  }
}

function stackFrames(stack: string): string {
  const lines = stack.split("\n");
  const firstFrame = lines.findIndex((l) => l.trimStart().startsWith("at "));
  return firstFrame === -1 ? "" : lines.slice(firstFrame).join("\n");
}

/**
 * Calls user code, turning anything it throws into a `UserCodeError` naming the definition.
 * Vigil errors thrown from inside (for example a nested config error) pass through unchanged.
 */
export async function runUserCode<T>(kind: UserCodeKind, name: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof UserCodeError) throw error;
    throw new UserCodeError(kind, name, error);
  }
}
