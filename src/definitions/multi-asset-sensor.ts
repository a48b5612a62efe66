import { DefinitionError } from "../errors/index.js";
import { AssetKey, EventType, type AssetKeyLike } from "../model/index.js";
import { requireInstance } from "./asset-sensor.js";
import type { InstanceReader } from "./instance-reader.js";
import type { AnyJobDefinition } from "./job.js";
import { MultiAssetSensorEvaluationContext } from "./multi-asset-sensor-context.js";
import { resolveRunRequests } from "./resolve-run-requests.js";
import { describeValue } from "./run-request.js";
import { callSensorFunction } from "./sensor.js";
import { stateOf, type SensorEvaluationContext } from "./sensor-context.js";
import { SensorDefinition, makeEvaluation } from "./sensor-definition.js";
import { sensorMisuse } from "./sensor-errors.js";
import type { SensorEvaluation, SensorFnReturn } from "./sensor-evaluation.js";
import { compileSensorOptions, type SensorCommonOptions } from "./sensor-options.js";

/** Options of `multiAssetSensor(...)`. */
export interface MultiAssetSensorOptions extends SensorCommonOptions {
  /** The assets whose materializations the sensor reads. */
  monitoredAssets: readonly AssetKeyLike[];
  job?: AnyJobDefinition;
  jobs?: readonly AnyJobDefinition[];
}

/** A multi-asset sensor's function. */
export type MultiAssetSensorFn = (context: MultiAssetSensorEvaluationContext) => SensorFnReturn;

/**
 * A sensor made by `multiAssetSensor`.
 *
 * @example
 * both.monitoredAssets.map(String); // ["a", "b"]
 */
export class MultiAssetSensorDefinition extends SensorDefinition {
  readonly monitoredAssets: readonly AssetKey[];

  /** @internal Use `multiAssetSensor(...)`. */
  constructor(options: ConstructorParameters<typeof SensorDefinition>[0], monitoredAssets: readonly AssetKey[], fn: MultiAssetSensorFn) {
    super(options, (context) => evaluateMultiAssetSensor(this, fn, context));
    this.monitoredAssets = monitoredAssets;
  }
}

/**
 * Defines a sensor over several assets' materializations. Its context reads the unconsumed ones
 * (`latestMaterializationRecordsByKey`, `materializationRecordsForKey`) and marks them consumed
 * (`advanceCursor`, `advanceAllCursors`); the cursor (JSON: consumed storage id per asset key) is
 * managed by Vigil. On a first start, each asset's latest earlier materialization counts as new.
 * Requesting runs without advancing the cursor is an error.
 *
 * @example
 * export const both = multiAssetSensor({ name: "a_and_b", monitoredAssets: ["a", "b"], job: myJob }, async (context) => {
 *   const latest = await context.latestMaterializationRecordsByKey();
 *   if (!latest["a"] || !latest["b"]) return new SkipReason("Waiting for both a and b.");
 *   context.advanceAllCursors();
 *   return new RunRequest();
 * });
 * @see docs/sensors.md
 */
export function multiAssetSensor(options: MultiAssetSensorOptions, fn: MultiAssetSensorFn): MultiAssetSensorDefinition {
  const compiled = compileSensorOptions("multiAssetSensor", "MULTI_ASSET", options, ["monitoredAssets"]);
  const given = options.monitoredAssets;
  if (!Array.isArray(given) || given.length === 0) {
    throw new DefinitionError(`Sensor "${compiled.name}" has monitoredAssets ${describeValue(given)}; give a non-empty array of asset keys such as ["a", "b"].`);
  }
  const keys: AssetKey[] = [];
  for (const key of given as readonly unknown[]) {
    let assetKey: AssetKey;
    try {
      assetKey = AssetKey.from(key as AssetKeyLike);
    } catch (error) {
      throw new DefinitionError(`Sensor "${compiled.name}" has ${describeValue(key)} in monitoredAssets, which is not an asset key.`, { cause: error });
    }
    if (keys.some((k) => k.equals(assetKey))) throw new DefinitionError(`Sensor "${compiled.name}" lists asset "${assetKey.toString()}" twice in monitoredAssets; list each once.`);
    keys.push(assetKey);
  }
  if (typeof fn !== "function") {
    throw new DefinitionError(`Sensor "${compiled.name}" needs an evaluation function as multiAssetSensor()'s second argument, such as async (context) => { ... }.`);
  }
  return new MultiAssetSensorDefinition(compiled, Object.freeze(keys), fn);
}

/**
 * @internal Reads a multi-asset sensor's cursor: `{ "<asset key>": <consumed storage id> }`.
 * Anything unreadable (not a JSON object, e.g. another sensor kind's cursor) counts as empty.
 */
export function parseMultiAssetCursor(cursor: string | null): Map<string, number> {
  const out = new Map<string, number>();
  if (cursor === null) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    return out;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return out;
  for (const [key, value] of Object.entries(parsed)) {
    if (Number.isSafeInteger(value)) out.set(key, value as number);
  }
  return out;
}

async function evaluateMultiAssetSensor(definition: MultiAssetSensorDefinition, fn: MultiAssetSensorFn, context: SensorEvaluationContext): Promise<SensorEvaluation> {
  const name = definition.name;
  const state = stateOf(context);
  state.sensorName ??= name;
  const instance = requireInstance(name, state.instance, "a multi-asset sensor reads materializations");
  const consumed = parseMultiAssetCursor(state.cursor);
  await Promise.all(
    definition.monitoredAssets.map(async (key) => {
      if (!consumed.has(key.toString())) consumed.set(key.toString(), await firstStartBaseline(instance, key));
    }),
  );
  const multi = new MultiAssetSensorEvaluationContext(context, { sensorName: name, instance, monitoredAssets: definition.monitoredAssets, consumed });
  state.cursorManagedBy = "a multi-asset sensor";
  let out;
  let settled;
  try {
    out = await callSensorFunction(name, context, definition.requiredResourceKeys, () => fn(multi));
    settled = await multi.settle();
  } finally {
    state.cursorManagedBy = null;
  }
  if (out.resultCursor !== undefined) {
    throw sensorMisuse(
      name,
      `it returned a SensorResult with cursor ${JSON.stringify(out.resultCursor)}; a multi-asset sensor's cursor is set automatically from the materializations it consumed, so use context.advanceCursor() or context.advanceAllCursors() instead.`,
    );
  }
  if (out.runRequests.length > 0 && !settled.advanced) {
    throw sensorMisuse(
      name,
      `it requested ${out.runRequests.length} run(s) but never advanced its cursor, so the same materializations would be handled again next tick; call context.advanceCursor({ [assetKey]: record }) or context.advanceAllCursors().`,
    );
  }
  state.cursor = settled.cursor;
  return makeEvaluation(resolveRunRequests(name, definition.jobs, out.runRequests), out.skipReason, state.cursor);
}

/**
 * On a first start, the asset's latest earlier materialization counts as new: the baseline is the
 * storage id just before it (the second newest), or -1 when there are fewer than two.
 */
async function firstStartBaseline(instance: InstanceReader, key: AssetKey): Promise<number> {
  const records = await instance.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: key, limit: 2 });
  return records[1]?.storageId ?? -1;
}
