import type { Definitions } from "../definitions/definitions.js";
import type { InstanceReader } from "../definitions/instance-reader.js";
import { buildSensorContext } from "../definitions/sensor-context.js";
import type { SensorDefinition } from "../definitions/sensor-definition.js";
import type { SensorEvaluation } from "../definitions/sensor-evaluation.js";
import type { Instance } from "./instance.js";

/** What a preview may override; anything omitted comes from the sensor's stored state. */
export interface PreviewSensorOptions {
  /** `undefined`: the stored cursor; `null`: no cursor. */
  cursor?: string | null;
  lastRunKey?: string | null;
  /** ms since epoch, as `context.lastTickCompletionTime`. */
  lastTickCompletionTime?: number | null;
}

/** The outcome of a preview: the cursor it started from and what the sensor decided. */
export interface SensorPreview {
  cursorBefore: string | null;
  evaluation: SensorEvaluation;
}

/**
 * Evaluates a sensor once, as a tick would (same context: stored cursor and times, the
 * Definitions' resources and job names), but through a read-only view of the instance: nothing is
 * stored and nothing is launched. What `vigil sensor preview` and the UI's Preview button run.
 * Throws what the evaluation throws (a Vigil error naming the sensor).
 */
export async function previewSensor(
  instance: Instance,
  definitions: Definitions,
  sensor: SensorDefinition,
  options: PreviewSensorOptions = {},
): Promise<SensorPreview> {
  const state = await instance.getSensorState(sensor.name);
  const cursorBefore = options.cursor === undefined ? (state?.cursor ?? null) : options.cursor;
  const context = buildSensorContext({
    cursor: cursorBefore,
    instance: readOnlyView(instance),
    lastRunKey: options.lastRunKey === undefined ? (state?.lastRunKey ?? null) : options.lastRunKey,
    lastTickCompletionTime: options.lastTickCompletionTime === undefined ? (state?.lastTickTimestamp ?? null) : options.lastTickCompletionTime,
    sensorName: sensor.name,
    repositoryName: definitions.name,
    resources: definitions.resources,
    definitionsJobNames: definitions.jobs.map((j) => j.name),
  });
  return { cursorBefore, evaluation: await sensor.evaluate(context) };
}

/** The instance as a sensor reads it, with nothing that writes. */
function readOnlyView(instance: InstanceReader): InstanceReader {
  return {
    getRun: (runId) => instance.getRun(runId),
    getRuns: (query) => instance.getRuns(query),
    getEventRecords: (query) => instance.getEventRecords(query),
    getLatestMaterialization: (assetKey) => instance.getLatestMaterialization(assetKey),
    getRunEvents: (runId, options) => instance.getRunEvents(runId, options),
  };
}
