import { DefinitionError } from "../errors/index.js";
import type { AnyJobDefinition } from "./job.js";
import { openEvaluation, stateOf, type SensorEvaluationContext } from "./sensor-context.js";
import { resolveRunRequests } from "./resolve-run-requests.js";
import { SensorDefinition, makeEvaluation } from "./sensor-definition.js";
import { runSensorCode } from "./sensor-errors.js";
import { collectSensorOutput, normalizeSensorOutput, type NormalizedOutput, type SensorFnReturn } from "./sensor-evaluation.js";
import { compileSensorOptions, type SensorCommonOptions } from "./sensor-options.js";

/** Options of `sensor(...)`. */
export interface SensorOptions extends SensorCommonOptions {
  /** The job its RunRequests launch (they may omit `jobName`). Not together with `jobs`. */
  job?: AnyJobDefinition;
  /** The jobs its RunRequests may launch, picked by `RunRequest.jobName`. Not together with `job`. */
  jobs?: readonly AnyJobDefinition[];
}

/** A sensor's evaluation function: with or without the context, returning any `SensorFnReturn` form. */
export type SensorFn = (context: SensorEvaluationContext) => SensorFnReturn;

/**
 * Defines a sensor. `fn(context)` may return a `RunRequest`, `SkipReason`, `SensorResult`, an array
 * of RunRequests, nothing, a promise of any of those, or be a sync or async generator; all forms
 * behave alike. Options are checked and normalised now (`minimumIntervalSeconds` 30,
 * `defaultStatus` STOPPED, `timeoutSeconds` 60).
 *
 * @example
 * export const myDirectorySensor = sensor({ name: "my_directory_sensor", job: logFileJob }, function* () {
 *   for (const filename of fs.readdirSync(MY_DIRECTORY)) {
 *     yield new RunRequest({ runKey: filename, runConfig: { ops: { process_file: { config: { filename } } } } });
 *   }
 * });
 * @see docs/sensors.md
 */
export function sensor(options: SensorOptions, fn: SensorFn): SensorDefinition {
  const compiled = compileSensorOptions("sensor", "STANDARD", options, []);
  if (typeof fn !== "function") {
    throw new DefinitionError(`Sensor "${compiled.name}" needs an evaluation function as sensor()'s second argument, such as (context) => new RunRequest({ ... }).`);
  }
  return new SensorDefinition(compiled, async (context) => {
    const state = stateOf(context);
    const out = await callSensorFunction(compiled.name, context, compiled.requiredResourceKeys, () => fn(context));
    if (out.resultCursor !== undefined) state.cursor = out.resultCursor;
    const runRequests = resolveRunRequests(compiled.name, compiled.jobs, out.runRequests);
    return makeEvaluation(runRequests, out.skipReason, state.cursor);
  });
}

/**
 * @internal Opens the evaluation (name, resources), calls the user's function at the user-code
 * boundary, drains what it returned, closes the evaluation and normalises the result.
 */
export async function callSensorFunction(
  sensorName: string,
  context: SensorEvaluationContext,
  requiredResourceKeys: readonly string[],
  call: () => unknown,
): Promise<NormalizedOutput> {
  const close = await openEvaluation(context, sensorName, requiredResourceKeys);
  let items: unknown[];
  try {
    items = await runSensorCode(sensorName, async () => collectSensorOutput(sensorName, await call()));
  } finally {
    await close();
  }
  return normalizeSensorOutput(sensorName, items, stateOf(context).cursorUpdated);
}
