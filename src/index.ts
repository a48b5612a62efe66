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
