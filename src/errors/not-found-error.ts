import { ErrorCode } from "./codes.js";
import { VigilError, type VigilErrorOptions } from "./vigil-error.js";

/** Which kind of thing was looked up. */
export type NotFoundKind = "run" | "sensor" | "job" | "resource" | "asset" | "op" | "tick";

/** A named thing does not exist. Carries what was looked for as fields. */
export class NotFoundError extends VigilError {
  readonly kind: NotFoundKind;
  readonly lookedUp: string;

  constructor(kind: NotFoundKind, lookedUp: string, message: string, options?: VigilErrorOptions) {
    super(ErrorCode.NOT_FOUND, message, options);
    this.kind = kind;
    this.lookedUp = lookedUp;
  }
}
