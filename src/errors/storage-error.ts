import { ErrorCode } from "./codes.js";
import { VigilError, type VigilErrorOptions } from "./vigil-error.js";

/** A storage operation failed. */
export class StorageError extends VigilError {
  constructor(message: string, options?: VigilErrorOptions & { code?: typeof ErrorCode.STORAGE_UNREACHABLE }) {
    super(options?.code ?? ErrorCode.STORAGE_ERROR, message, options);
  }
}

/** A run or tick was asked to move to a status it cannot reach from its current one. */
export class InvalidStatusTransitionError extends VigilError {
  constructor(message: string) {
    super(ErrorCode.INVALID_STATUS_TRANSITION, message);
  }
}
