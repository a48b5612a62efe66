import type { SensorDefinition } from "../definitions/sensor-definition.js";
import type { Instance } from "../instance/instance.js";
import { markUsedRunKeys, type PreviewResult, type SensorPreviewer } from "../instance/preview-sensor.js";
import { WorkerEvaluator } from "./worker-evaluator.js";

/**
 * A previewer that evaluates each sensor the way a daemon tick does: in a fresh worker thread that
 * loads `modulePath` (so it previews the code as it is on disk), with the sensor's timeout counted
 * from the moment the module is loaded and the thread killed at it — a sensor stuck in a
 * synchronous loop cannot hang the CLI or the UI server. The sensor reads the instance through a
 * read-only view; nothing is stored or launched. Run keys it requests that the sensor has already
 * used are marked (`alreadyUsed`): the tick would deduplicate them.
 *
 * @example
 * const preview = sandboxedPreviewer(instance, "./defs.ts");
 * const result = await preview(sensor, { cursor: "42" });
 * @see docs/sensors.md
 */
export function sandboxedPreviewer(instance: Instance, modulePath: string): SensorPreviewer {
  return async (sensor: SensorDefinition, options = {}) => {
    const state = await instance.getSensorState(sensor.name);
    const cursorBefore = options.cursor === undefined ? (state?.cursor ?? null) : options.cursor;
    const timeoutSeconds = sensor.options.timeoutSecondsIsDefault ? instance.config.sensors.timeoutSeconds : sensor.timeoutSeconds;
    const evaluator = new WorkerEvaluator({ modulePath, instance, size: 1, readOnly: true, log: () => undefined });
    try {
      const outcome = await evaluator.evaluate({
        sensorName: sensor.name,
        cursor: cursorBefore,
        lastRunKey: options.lastRunKey === undefined ? (state?.lastRunKey ?? null) : options.lastRunKey,
        lastTickCompletionTime: options.lastTickCompletionTime === undefined ? (state?.lastTickTimestamp ?? null) : options.lastTickCompletionTime,
        timeoutMs: timeoutSeconds * 1000,
      });
      const result: PreviewResult = { cursorBefore, runRequests: [], skipReason: null, cursor: cursorBefore, error: outcome.error, handledEvents: 0, completed: outcome.ok };
      if (!outcome.ok) return result;
      result.runRequests = await markUsedRunKeys(
        instance,
        sensor.name,
        outcome.runRequests.map((r) => ({ runKey: r.runKey, jobName: r.jobName, runConfig: r.runConfig, tags: { ...r.tags } })),
      );
      result.skipReason = outcome.skipReason;
      result.cursor = outcome.cursor;
      result.handledEvents = outcome.handledEvents;
      return result;
    } finally {
      await evaluator.close();
    }
  };
}
