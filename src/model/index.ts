export { AssetKey, type AssetKeyLike } from "./asset-key.js";
export { AssetMaterialization, type AssetMaterializationOptions } from "./asset-materialization.js";
export { EventType, isEventType } from "./event-type.js";
export {
  RunStatus,
  TERMINAL_RUN_STATUSES,
  RUN_STATUS_EVENT,
  isRunStatus,
  isTerminalRunStatus,
  canTransitionRun,
  assertRunTransition,
  runStatusForEvent,
} from "./run-status.js";
export { RunTag, WorkerTag, type Run, type RunConfigValue, type RunsQuery } from "./run.js";
export { reviveEventLogEntry, type EventLogEntry, type EventLogRecord, type EventRecordsQuery, type RunEvent, type LogLevel, type Metadata, type MetadataValue, type MaterializationData } from "./event-log.js";
export { TickStatus, TICK_LIST_CAP, assertTickTransition, capTickLists, type Tick, type TickError, type TickHeader } from "./tick.js";
export { SensorStatus, type SensorState, type StoredSensorState, type SensorStatusSource } from "./sensor-state.js";
export {
  ProcessKind,
  LeaseKind,
  RUN_MONITOR_LEASE,
  type ProcessRecord,
  type ProcessRegistration,
  type LeaseRecord,
  type LeaseGrant,
  type RunQueueBlocker,
  type RunQueueInfo,
  type DaemonStatus,
  type WorkerStatus,
  type DeploymentStatus,
} from "./ownership.js";
export {
  ClaimPlan,
  fullLimitsFor,
  isUnlimited,
  limitMatches,
  type ConcurrencyLimits,
  type InFlightCounts,
  type TagConcurrencyLimit,
} from "./concurrency-limits.js";
