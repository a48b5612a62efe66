import { ErrorCode } from "./codes.js";
import { VigilError, type VigilErrorOptions } from "./vigil-error.js";

/** `vigil.yaml` (or instance options) is malformed; the message names the key and what is allowed. */
export class InstanceConfigError extends VigilError {
  constructor(message: string, options?: VigilErrorOptions) {
    super(ErrorCode.INSTANCE_CONFIG_INVALID, message, options);
  }
}
