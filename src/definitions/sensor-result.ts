import { InvalidArgumentError } from "../errors/index.js";
import { RunRequest, describeValue } from "./run-request.js";
import { SkipReason } from "./skip-reason.js";

/** Options of `new SensorResult(...)`. */
export interface SensorResultOptions {
  /** The runs to request. @defaultValue `[]` */
  runRequests?: readonly RunRequest[];
  /** Why no run is requested; not together with `runRequests`. */
  skipReason?: SkipReason | string;
  /** The new cursor; `undefined` (or `null`) leaves it as `context.updateCursor` set it. */
  cursor?: string | null;
}

// A brand rather than the prototype, so `instanceof` also holds when two copies of Vigil are loaded.
const brand = Symbol.for("vigil.SensorResult");

/**
 * Everything one evaluation decided, returned at once: run requests or a skip reason, and the new
 * cursor. It must be the only thing a sensor returns.
 *
 * @example
 * return new SensorResult({ runRequests: [new RunRequest({ runKey: "a" })], cursor: String(maxMtime) });
 * @see docs/sensors.md
 */
export class SensorResult {
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }

  readonly runRequests: readonly RunRequest[];
  readonly skipReason: SkipReason | undefined;
  readonly cursor: string | undefined;

  constructor(options: SensorResultOptions = {}) {
    const { runRequests = [], skipReason, cursor } = options;
    if (!Array.isArray(runRequests)) {
      throw new InvalidArgumentError(`SensorResult runRequests ${describeValue(runRequests)} is not an array; give an array of RunRequest objects.`);
    }
    runRequests.forEach((request: unknown, index) => {
      if (!(request instanceof RunRequest)) {
        throw new InvalidArgumentError(`SensorResult runRequests[${index}] is ${describeValue(request)}, not a RunRequest; build each with new RunRequest(...).`);
      }
    });
    if (skipReason !== undefined && typeof skipReason !== "string" && !(skipReason instanceof SkipReason)) {
      throw new InvalidArgumentError(`SensorResult skipReason ${describeValue(skipReason)} is neither a string nor a SkipReason.`);
    }
    if (skipReason !== undefined && runRequests.length > 0) {
      throw new InvalidArgumentError(
        `SensorResult received both ${runRequests.length} run request(s) and a skip reason; give a single skip reason or one or more run requests, not both.`,
      );
    }
    if (cursor !== undefined && cursor !== null && typeof cursor !== "string") {
      throw new InvalidArgumentError(`SensorResult cursor ${describeValue(cursor)} is not a string; give a string, or leave it out.`);
    }
    this.runRequests = Object.freeze([...runRequests]);
    this.skipReason = typeof skipReason === "string" ? new SkipReason(skipReason) : skipReason;
    this.cursor = cursor ?? undefined;
  }
}
Object.defineProperty(SensorResult.prototype, brand, { value: true });
