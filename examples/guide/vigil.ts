// Temporary: the sensor names before src/index.ts exports them. Examples switch to "vigil" then.
export * from "../../src/index.js";
export { sensor } from "../../src/definitions/sensor.js";
export { RunRequest } from "../../src/definitions/run-request.js";
export { SkipReason } from "../../src/definitions/skip-reason.js";
export { SensorResult } from "../../src/definitions/sensor-result.js";
export { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
export { buildSensorContext, SensorEvaluationContext } from "../../src/definitions/sensor-context.js";
export { assetSensor } from "../../src/definitions/asset-sensor.js";
export { multiAssetSensor } from "../../src/definitions/multi-asset-sensor.js";
export { runStatusSensor, runFailureSensor } from "../../src/definitions/run-status-sensor.js";
export { buildRunStatusSensorContext, RunStatusSensorContext, RunFailureSensorContext } from "../../src/definitions/run-status-sensor-context.js";
export { runRequestFor } from "../../src/definitions/run-request-for.js";
