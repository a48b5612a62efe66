import { DefinitionError } from "../errors/index.js";
import { AssetKey, EventType, type AssetKeyLike, type EventLogEntry } from "../model/index.js";
import type { InstanceReader } from "./instance-reader.js";
import { resolveRunRequests } from "./resolve-run-requests.js";
import { describeValue } from "./run-request.js";
import { callSensorFunction } from "./sensor.js";
import { stateOf, type SensorEvaluationContext } from "./sensor-context.js";
import { SensorDefinition, makeEvaluation } from "./sensor-definition.js";
import { sensorMisuse } from "./sensor-errors.js";
import type { SensorFnReturn } from "./sensor-evaluation.js";
import { compileSensorOptions, type SensorCommonOptions } from "./sensor-options.js";
import type { AnyJobDefinition } from "./job.js";
import { SkipReason } from "./skip-reason.js";

/** Options of `assetSensor(...)`. */
export interface AssetSensorOptions extends SensorCommonOptions {
  /** The asset whose materializations trigger the sensor. */
  assetKey: AssetKeyLike;
  job?: AnyJobDefinition;
  jobs?: readonly AnyJobDefinition[];
}

/** An asset sensor's function: the context and the materialization's event log entry. */
export type AssetSensorFn = (context: SensorEvaluationContext, assetEvent: EventLogEntry) => SensorFnReturn;

/**
 * A sensor made by `assetSensor`: it reacts to materializations of `assetKey`.
 *
 * @example
 * myAssetSensor.assetKey.toString(); // "my_table"
 */
export class AssetSensorDefinition extends SensorDefinition {
  readonly assetKey: AssetKey;

  /** @internal Use `assetSensor(...)`. */
  constructor(options: ConstructorParameters<typeof SensorDefinition>[0], assetKey: AssetKey, fn: AssetSensorFn) {
    super(options, (context) => evaluateAssetSensor(this, fn, context));
    this.assetKey = assetKey;
  }
}

/**
 * Defines a sensor that reacts to materializations of one asset. Each evaluation handles the newest
 * materialization after its cursor (the storage id of the last one handled, managed by Vigil):
 * none → skip naming the key; else `fn(context, entry)` is called once, with `context.cursor`
 * already that event's storage id. The cursor stays there even when `fn` skips and goes back if
 * `fn` throws. Several materializations between two evaluations are seen as one (the newest).
 *
 * @example
 * export const myAssetSensor = assetSensor({ name: "my_asset_sensor", assetKey: "my_table", job: myJob }, (context, assetEvent) =>
 *   new RunRequest({ runKey: context.cursor!, runConfig: { ops: { read_materialization: { config: { asset_key: assetEvent.event!.assetKey! } } } } }),
 * );
 * @see docs/sensors.md
 */
export function assetSensor(options: AssetSensorOptions, fn: AssetSensorFn): AssetSensorDefinition {
  const compiled = compileSensorOptions("assetSensor", "ASSET", options, ["assetKey"]);
  let assetKey: AssetKey;
  try {
    assetKey = AssetKey.from(options.assetKey);
  } catch (error) {
    throw new DefinitionError(`Sensor "${compiled.name}" has assetKey ${describeValue(options.assetKey)}, which is not an asset key; give a string such as "my_table", a path array or an AssetKey.`, { cause: error });
  }
  if (typeof fn !== "function") {
    throw new DefinitionError(`Sensor "${compiled.name}" needs an evaluation function as assetSensor()'s second argument, such as (context, assetEvent) => new RunRequest({ ... }).`);
  }
  return new AssetSensorDefinition(compiled, assetKey, fn);
}

/** @internal The asset sensor's cursor as a storage id; anything unreadable counts as none. */
export function parseAssetSensorCursor(cursor: string | null): number | undefined {
  if (cursor === null || !/^-?\d+$/.test(cursor.trim())) return undefined;
  const value = Number(cursor);
  return Number.isSafeInteger(value) ? value : undefined;
}

async function evaluateAssetSensor(definition: AssetSensorDefinition, fn: AssetSensorFn, context: SensorEvaluationContext) {
  const name = definition.name;
  const state = stateOf(context);
  state.sensorName ??= name;
  const instance = requireInstance(name, state.instance, "an asset sensor reads materializations");
  const [record] = await instance.getEventRecords({
    eventType: EventType.ASSET_MATERIALIZATION,
    assetKey: definition.assetKey,
    afterCursor: parseAssetSensorCursor(state.cursor),
    limit: 1,
  });
  if (record === undefined) {
    return makeEvaluation([], new SkipReason(`No new materialization events found for asset key "${definition.assetKey.toString()}".`), state.cursor);
  }
  // While fn runs, the cursor is already this event's id, so `runKey: context.cursor` is unique per materialization.
  state.cursor = String(record.storageId);
  state.cursorManagedBy = "an asset sensor";
  let out;
  try {
    out = await callSensorFunction(name, context, definition.requiredResourceKeys, () => fn(context, record.entry));
  } finally {
    state.cursorManagedBy = null;
  }
  if (out.resultCursor !== undefined) {
    throw sensorMisuse(
      name,
      `it returned a SensorResult with cursor ${JSON.stringify(out.resultCursor)}, but the cursor of an asset sensor is managed by Vigil (the storage id of the last materialization handled); leave SensorResult.cursor out.`,
    );
  }
  return makeEvaluation(resolveRunRequests(name, definition.jobs, out.runRequests), out.skipReason, state.cursor);
}

/** @internal The context's instance, or an error naming the sensor and why it needs one. */
export function requireInstance(sensorName: string, instance: InstanceReader | null, why: string): InstanceReader {
  if (instance === null) {
    throw sensorMisuse(sensorName, `${why} from context.instance, but its context was built without an instance; pass one, e.g. buildSensorContext({ instance: await Instance.ephemeral() }).`);
  }
  return instance;
}
