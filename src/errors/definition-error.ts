import { ErrorCode } from "./codes.js";
import { VigilError, type VigilErrorOptions } from "./vigil-error.js";

/** A definition is malformed or inconsistent; thrown when definitions are built or loaded. */
export class DefinitionError extends VigilError {
  constructor(message: string, options?: VigilErrorOptions) {
    super(ErrorCode.DEFINITION_INVALID, message, options);
  }
}

/** An API was called with an argument it cannot accept (wrong type, unknown name, misuse). */
export class InvalidArgumentError extends VigilError {
  constructor(message: string, options?: VigilErrorOptions) {
    super(ErrorCode.INVALID_ARGUMENT, message, options);
  }
}
