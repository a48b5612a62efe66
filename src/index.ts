// The public API of Vigil: the names of SPEC.md §1, nothing else.
export {
  ErrorCode,
  VigilError,
  DefinitionError,
  InvalidArgumentError,
  RunConfigValidationError,
  UserCodeError,
  NotFoundError,
  StorageError,
  InvalidStatusTransitionError,
  InstanceConfigError,
  TimeoutError,
  type RunConfigError,
  type SerializedError,
} from "./errors/index.js";
export {
  AssetKey,
  AssetMaterialization,
  EventType,
  RunStatus,
  RunTag,
  TickStatus,
  SensorStatus,
  type AssetKeyLike,
  type AssetMaterializationOptions,
  type Run,
  type RunConfigValue,
  type EventLogEntry,
  type EventLogRecord,
  type RunEvent,
  type LogLevel,
  type Metadata,
  type MetadataValue,
  type Tick,
  type SensorState,
} from "./model/index.js";
export { ResourceConfigError } from "./config/index.js";
export type { InferConfigInput, InferConfigOutput } from "./config/index.js";

// Ops, jobs, resources, definitions (SPEC §1.1, §1.5, §1.6)
export { op, type OpDefinition, type OpOptions, type AnyOpDefinition } from "./definitions/op.js";
export type { OpContext, OpLogger } from "./definitions/op-context.js";
export type { OutputHandle } from "./definitions/output-handle.js";
export { job, type JobDefinition, type JobOptions, type AnyJobDefinition, type InferRunConfig, type RunConfigInput } from "./definitions/job.js";
export { validateRunConfig } from "./definitions/validate-run-config.js";
export type { ParsedRunConfig } from "./config/index.js";
export {
  resource,
  buildResources,
  withResources,
  type ResourceDefinition,
  type ResourceOptions,
  type ResourceLike,
  type ResourceInitContext,
  type ResourcesHandle,
  type BuildResourcesOptions,
  type InferResources,
  type InferResourceValue,
} from "./definitions/resource.js";
export { Definitions, type DefinitionsOptions } from "./definitions/definitions.js";
export type { ExecuteInProcessOptions, ExecuteInProcessResult } from "./definitions/in-process-executor.js";
export type { InstanceReader } from "./definitions/instance-reader.js";

// Instance (SPEC §1.3)
export { Instance, type WaitForRunOptions, type CompiledInstanceConfig, type InstanceConfigInput } from "./instance/index.js";
export type { EventRecordsQuery, RunsQuery } from "./model/index.js";

// Sensors (SPEC §1.4)
export { sensor, type SensorOptions, type SensorFn } from "./definitions/sensor.js";
export { SensorDefinition } from "./definitions/sensor-definition.js";
export { DefaultSensorStatus } from "./definitions/default-sensor-status.js";
export { RunRequest, type RunRequestOptions } from "./definitions/run-request.js";
export { runRequestFor, type RunRequestForOptions } from "./definitions/run-request-for.js";
export { SkipReason } from "./definitions/skip-reason.js";
export { SensorResult, type SensorResultOptions } from "./definitions/sensor-result.js";
export type { SensorEvaluation, SensorReturnValue, SensorFnReturn, HandledRunEvent } from "./definitions/sensor-evaluation.js";
export type { SensorCommonOptions, SensorType } from "./definitions/sensor-options.js";
export { SensorEvaluationContext, buildSensorContext, type SensorContextOptions } from "./definitions/sensor-context.js";
export type { SensorLogger } from "./definitions/sensor-log.js";
export { assetSensor, AssetSensorDefinition, type AssetSensorOptions, type AssetSensorFn } from "./definitions/asset-sensor.js";
export {
  multiAssetSensor,
  MultiAssetSensorDefinition,
  type MultiAssetSensorOptions,
  type MultiAssetSensorFn,
} from "./definitions/multi-asset-sensor.js";
export { MultiAssetSensorEvaluationContext } from "./definitions/multi-asset-sensor-context.js";
export {
  runStatusSensor,
  runFailureSensor,
  RunStatusSensorDefinition,
  type RunStatusSensorOptions,
  type RunFailureSensorOptions,
  type RunStatusSensorFn,
  type RunFailureSensorFn,
  type MonitoredJob,
} from "./definitions/run-status-sensor.js";
export {
  RunStatusSensorContext,
  RunFailureSensorContext,
  buildRunStatusSensorContext,
  type RunStatusSensorContextOptions,
} from "./definitions/run-status-sensor-context.js";

// Daemon (SPEC §1.7)
export { Daemon, type DaemonOptions } from "./daemon/daemon.js";
export { ManualClock, SystemClock, type Clock } from "./daemon/clock.js";
export { TickStep } from "./daemon/tick.js";
