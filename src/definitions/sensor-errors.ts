import { DefinitionError, InvalidArgumentError, UserCodeError, type VigilError } from "../errors/index.js";

/** Errors raised by Vigil's own sensor machinery while user code runs; they pass the user-code boundary unwrapped. */
const ownErrors = new WeakSet<object>();

/** @internal Marks an error Vigil raised on purpose (it already names the sensor) and returns it. */
export function ownSensorError<T extends VigilError>(error: T): T {
  ownErrors.add(error);
  return error;
}

/** @internal `Error in sensor "name": detail` as an `InvalidArgumentError` (a misuse seen during evaluation). */
export function sensorMisuse(sensorName: string, detail: string): InvalidArgumentError {
  return ownSensorError(new InvalidArgumentError(`Error in sensor "${sensorName}": ${detail}`));
}

/** @internal `Error in sensor "name": detail` as a `DefinitionError` (the definition cannot do what was asked). */
export function sensorDefinitionProblem(sensorName: string, detail: string): DefinitionError {
  return ownSensorError(new DefinitionError(`Error in sensor "${sensorName}": ${detail}`));
}

/**
 * @internal The one place sensor code is called: anything the user's code throws becomes a
 * `UserCodeError` naming the sensor and carrying the user's message, stack and cause; errors Vigil
 * raised on purpose inside it (e.g. a bad `updateCursor` argument) pass through as they are.
 */
export async function runSensorCode<T>(sensorName: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (typeof error === "object" && error !== null && ownErrors.has(error)) throw error;
    if (error instanceof UserCodeError && error.kind === "sensor" && error.definitionName === sensorName) throw error;
    throw new UserCodeError("sensor", sensorName, error);
  }
}
