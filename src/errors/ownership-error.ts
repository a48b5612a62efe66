import { ErrorCode } from "./codes.js";
import { VigilError } from "./vigil-error.js";

/**
 * A daemon tried to start or commit a tick (or other leased work) under a lease it no longer
 * holds: another daemon took it over, so nothing was written. The daemon drops the work and
 * goes on; it is not a failure of the sensor.
 */
export class LeaseLostError extends VigilError {
  constructor(message: string) {
    super(ErrorCode.LEASE_LOST, message);
  }
}

/** A second daemon was started on an instance that allows only one (SQLite). */
export class DaemonConflictError extends VigilError {
  constructor(message: string) {
    super(ErrorCode.DAEMON_CONFLICT, message);
  }
}
