import { ErrorCode } from "./codes.js";
import { VigilError, type VigilErrorOptions } from "./vigil-error.js";

/** A bug in Vigil: something that should be impossible happened. */
export class InvariantError extends VigilError {
  constructor(message: string, options?: VigilErrorOptions) {
    super(ErrorCode.INVARIANT_VIOLATED, `${message} This is a bug in Vigil; please report it.`, options);
  }
}

/** For the `never` branch of an exhaustive switch. */
export function unreachable(value: never, what: string): never {
  throw new InvariantError(`Unexpected ${what}: ${JSON.stringify(value)}.`);
}
