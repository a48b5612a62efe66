import type { SerializedError } from "../errors/index.js";
import type { AssetKeyLike } from "./asset-key.js";
import type { EventType } from "./event-type.js";
import type { RunStatus } from "./run-status.js";

/** Severity of an event log entry. */
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** Metadata attached to a materialization: JSON-friendly values. */
export type MetadataValue = string | number | boolean | null | MetadataValue[] | { [key: string]: MetadataValue };
export type Metadata = Record<string, MetadataValue>;

/** A materialization as stored in an event. */
export interface MaterializationData {
  assetKey: readonly string[];
  description: string | null;
  metadata: Metadata;
  partition: string | null;
}

/** The structured part of an event log entry. */
export interface RunEvent {
  eventType: EventType;
  /** Path of the asset key, for asset events. */
  assetKey?: readonly string[];
  materialization?: MaterializationData;
  /** For STEP_FAILURE and RUN_FAILURE. */
  error?: SerializedError;
  /** For run status events: the status the run moved to. */
  runStatus?: RunStatus;
  /** For STEP_OUTPUT: the op's output value when it is JSON-serialisable. */
  output?: unknown;
  /** For RUN_STARTING: the owner id (`<host>/<pid>/<random>`) of the launcher the run was claimed for. */
  claimedBy?: string;
  /** For STEP_SUCCESS and STEP_FAILURE: how long the step took. */
  durationMs?: number;
}

/** One entry of a run's event log. `timestamp` is ms since epoch. */
export interface EventLogEntry {
  runId: string;
  jobName: string;
  timestamp: number;
  stepKey?: string;
  level: LogLevel;
  message: string;
  event?: RunEvent;
}

/** A stored entry with its storage id, the global, strictly increasing cursor of the event log. */
export interface EventLogRecord {
  storageId: number;
  entry: EventLogEntry;
}

/** What `instance.getEventRecords` accepts. Bounds are strict; newest first unless `ascending`. */
export interface EventRecordsQuery {
  eventType: EventType;
  assetKey?: AssetKeyLike;
  /** Storage ids strictly greater than this. */
  afterCursor?: number;
  /** Storage ids strictly less than this. */
  beforeCursor?: number;
  /** ms since epoch, strict. */
  afterTimestamp?: number;
  /** ms since epoch, strict. */
  beforeTimestamp?: number;
  runIds?: readonly string[];
  ascending?: boolean;
  limit?: number;
}
