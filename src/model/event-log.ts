import type { SerializedError } from "../errors/index.js";
import { AssetKey, type AssetKeyLike } from "./asset-key.js";
import type { EventType } from "./event-type.js";
import type { RunStatus } from "./run-status.js";

/** Severity of an event log entry. */
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** Metadata attached to a materialization: JSON-friendly values. */
export type MetadataValue = string | number | boolean | null | MetadataValue[] | { [key: string]: MetadataValue };
export type Metadata = Record<string, MetadataValue>;

/** A materialization as stored in an event. */
export interface MaterializationData {
  assetKey: AssetKey;
  description: string | null;
  metadata: Metadata;
  partition: string | null;
}

/** The structured part of an event log entry. */
export interface RunEvent {
  eventType: EventType;
  /** The asset key, for asset events (`entry.event.assetKey.path` reads its path; JSON has the path array). */
  assetKey?: AssetKey;
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

/**
 * An entry as read back from JSON (storage, a message): its asset keys, stored as path arrays,
 * become `AssetKey`s again. Returns the same object, changed in place.
 */
export function reviveEventLogEntry(entry: EventLogEntry): EventLogEntry {
  const event = entry.event;
  if (event === undefined) return entry;
  if (event.assetKey !== undefined && !(event.assetKey instanceof AssetKey)) event.assetKey = AssetKey.from(pathOf(event.assetKey));
  const m = event.materialization;
  if (m !== undefined && !(m.assetKey instanceof AssetKey)) m.assetKey = AssetKey.from(pathOf(m.assetKey));
  return entry;
}

/** The path of a key as JSON or structured cloning leaves it: an array, or `{ path }`. */
function pathOf(key: unknown): readonly string[] {
  if (Array.isArray(key)) return key as string[];
  if (typeof key === "object" && key !== null && Array.isArray((key as { path?: unknown }).path)) return (key as { path: string[] }).path;
  return [String(key)];
}
