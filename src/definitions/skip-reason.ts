import { InvalidArgumentError } from "../errors/index.js";
import { describeValue } from "./run-request.js";

// A brand rather than the prototype, so `instanceof` also holds when two copies of Vigil are loaded.
const brand = Symbol.for("vigil.SkipReason");

/**
 * Returned or yielded by a sensor that requests no runs, to say why; the tick is recorded as
 * `SKIPPED` with this message.
 *
 * @example
 * if (files.length === 0) return new SkipReason(`No files found in ${dir}.`);
 * @see docs/sensors.md
 */
export class SkipReason {
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }

  /** Why the sensor skipped, or `undefined`. */
  readonly message: string | undefined;

  constructor(message?: string) {
    if (message !== undefined && typeof message !== "string") {
      throw new InvalidArgumentError(`SkipReason message ${describeValue(message)} is not a string; give a string or nothing.`);
    }
    this.message = message;
  }
}
Object.defineProperty(SkipReason.prototype, brand, { value: true });
