import { ErrorCode } from "./codes.js";
import { VigilError, type VigilErrorOptions } from "./vigil-error.js";

/** Something took longer than it was allowed to. */
export class TimeoutError extends VigilError {
  constructor(message: string, options?: VigilErrorOptions) {
    super(ErrorCode.TIMEOUT, message, options);
  }
}
