import type {
  EventLogEntry,
  EventLogRecord,
  EventRecordsQuery,
  Run,
  RunConfigValue,
  RunStatus,
  StoredSensorState,
  SensorStatus,
  SensorStatusSource,
  Tick,
  TickStatus,
} from "../model/index.js";

/**
 * The storage contract, written as operations (never connections or transactions): every
 * implementation owns its own transactions, so one operation is one atomic change.
 * One SQL implementation backs it on SQLite and PostgreSQL; `testing/storage-conformance.ts`
 * is the suite every backend passes.
 */

/** A run about to be stored. */
export interface NewRun {
  runId: string;
  jobName: string;
  /** The first status: `NOT_STARTED` (executed right away) or `QUEUED` (waits for the coordinator). */
  status: RunStatus;
  tags: Record<string, string>;
  runConfig: RunConfigValue;
  /** ms since epoch. */
  createdAt: number;
}

/** Which runs `getRuns` returns; every given filter must hold. */
export interface RunsFilter {
  jobName?: string;
  statuses?: readonly RunStatus[];
  /** Every tag must match exactly. */
  tags?: Record<string, string>;
  runIds?: readonly string[];
  /** At most this many, newest first. */
  limit?: number;
  /** A run id: only runs created before it (the next page of a newest-first listing). */
  cursor?: string;
}

export interface RunStorage {
  /** Stores a new run; throws `StorageError` if its id exists. */
  addRun(run: NewRun): Promise<Run>;
  getRun(runId: string): Promise<Run | null>;
  /** Newest first (by creation order). */
  getRuns(filter?: RunsFilter): Promise<Run[]>;
  /** How many runs match (ignores `limit` and `cursor`). */
  countRuns(filter?: RunsFilter): Promise<number>;
  /**
   * Stores a new run only if its sensor never used `runKey` before: the key's reservation and the
   * run are written in one transaction, so at most one run ever exists per (sensor, run key), also
   * across daemons and crashes. Returns the run, or null when the key was taken (nothing written).
   * Throws `StorageError` if the run id exists.
   */
  createRunIfNewKey(run: NewRun, key: RunKeyReservation): Promise<Run | null>;
  /** Which of `runKeys` the sensor has already used, as run key → run id (any number of keys). */
  getRunIdsForRunKeys(sensorName: string, runKeys: readonly string[]): Promise<Map<string, string>>;
  /**
   * Adds tags to a run (overwriting keys it has), e.g. the worker a launcher started for it.
   * Returns the run's tags after the change; throws `NotFoundError` for an unknown run.
   */
  addRunTags(runId: string, tags: Readonly<Record<string, string>>): Promise<Record<string, string>>;
}

/** A run key as reserved by a sensor. */
export interface RunKeyReservation {
  sensorName: string;
  runKey: string;
}

/**
 * Which event records `getEventRecords` returns: `EventRecordsQuery` with the asset key already in
 * its string form (`"a/b"`). All bounds are strict.
 */
export type EventRecordsFilter = Omit<EventRecordsQuery, "assetKey"> & { assetKey?: string };

/** What `onEventsStored` reports: the kinds of events a committed `storeEvents` wrote. */
export interface EventsStoredNotice {
  /** Event types stored (`"ASSET_MATERIALIZATION"`, `"RUN_FAILURE"`…); null when unknown (any may have been). */
  eventTypes: readonly string[] | null;
  /** Asset keys (string form `"a/b"`) of the asset events stored; null when unknown. */
  assetKeys: readonly string[] | null;
}

export interface EventLogStorage {
  /**
   * Appends entries, in order, in one transaction, and returns them with their storage ids.
   * A run status event (`event.runStatus` set) also moves its run, after `assertRunTransition`,
   * setting `startedAt` on STARTED and `endedAt` on a terminal status; if any move is not allowed,
   * nothing is written. Storage ids are strictly increasing in commit order, also across processes.
   */
  storeEvents(entries: readonly EventLogEntry[]): Promise<EventLogRecord[]>;
  getEventRecords(filter: EventRecordsFilter): Promise<EventLogRecord[]>;
  /** A run's events in storage order, after `afterStorageId` (exclusive). */
  getRunEvents(runId: string, options?: { afterStorageId?: number; limit?: number }): Promise<EventLogRecord[]>;
  /** The newest storage id in the event log, 0 when empty. Cheap: used to poll for new events. */
  getMaxStorageId(): Promise<number>;
  /** Every asset key (`"a/b"`) with a materialization and its newest one, by key; a few index seeks per key. */
  getAssetKeys(): Promise<{ assetKey: string; lastMaterialization: EventLogRecord }[]>;
  /**
   * Calls `callback` after events are stored, by any process: on PostgreSQL at once (LISTEN/NOTIFY,
   * reconnecting after errors, with an unknown-kinds notice after each reconnection); elsewhere by
   * polling the newest storage id every `pollMs` (default 100). Never throws; returns the
   * unsubscribe function. Optional: a storage without it gives no event-driven wakeups.
   */
  onEventsStored?(callback: (notice: EventsStoredNotice) => void, options?: { pollMs?: number }): () => void;
}

/** A change to a sensor's stored state; omitted fields keep their value (or their default on insert). */
export interface SensorStateUpdate {
  name: string;
  status?: SensorStatus;
  statusSource?: SensorStatusSource;
  cursor?: string | null;
  lastTickTimestamp?: number | null;
  lastTickStartTimestamp?: number | null;
  lastRunKey?: string | null;
}

export interface SensorStorage {
  getSensorState(name: string): Promise<StoredSensorState | null>;
  getSensorStates(): Promise<StoredSensorState[]>;
  /** Inserts or updates. A new row defaults to `STOPPED` / `"default"` / null fields. */
  upsertSensorState(update: SensorStateUpdate): Promise<StoredSensorState>;
}

/** A tick about to be stored, always `STARTED`. */
export interface NewTick {
  sensorName: string;
  timestamp: number;
  cursorBefore: string | null;
}

/** The end (or an update) of a tick. */
export interface TickUpdate {
  status: TickStatus;
  endTimestamp?: number | null;
  runIds?: string[];
  runKeys?: string[];
  dedupedRunKeys?: string[];
  skipReason?: string | null;
  error?: { message: string; stack: string } | null;
  cursor?: string | null;
}

/** One run a tick requests, its job resolved and its run config validated. */
export interface TickRunRequest {
  /**
   * The id the run gets if it is created. Omitted: `commitTick` generates one, only for the runs it
   * creates (a tick whose 100,000 keys are all used then generates none).
   */
  runId?: string;
  jobName: string;
  /** null: no key, so the run is always created. */
  runKey: string | null;
  runConfig: RunConfigValue;
  /** The job's tags overridden by the request's; `commitTick` adds the `vigil/*` tags over them (it never mutates them: they may be shared). */
  tags: Readonly<Record<string, string>>;
}

/** Everything that ends a tick, committed by `commitTick` in one transaction. */
export interface TickCommit {
  tickId: number;
  /** In request order; duplicate keys (within the list, or already used by the sensor) create no run. */
  runRequests: readonly TickRunRequest[];
  skipReason: string | null;
  /** Set for a FAILURE tick. */
  error: { message: string; stack: string } | null;
  /** Run status events a run status sensor handled: with any, the tick is SUCCESS even without runs. */
  handledEvents?: number;
  /** The tick's cursor after the evaluation. */
  cursor: string | null;
  /** Whether `cursor` becomes the sensor's cursor (false for a failed evaluation). */
  storeCursor: boolean;
  /** From the daemon's clock. */
  endTimestamp: number;
  /** From the real clock: the runs' `createdAt`. */
  createdAt: number;
}

/** What `commitTick` wrote. */
export interface TickCommitResult {
  tick: Tick;
  /** The runs created (`QUEUED`), in request order. */
  runs: Run[];
}

export interface TickStorage {
  /** Inserts a `STARTED` tick and, in the same transaction, stores its timestamp as the `lastTickStartTimestamp` of the sensor's state, if it has one. */
  createTick(tick: NewTick): Promise<Tick>;
  /**
   * Ends a `STARTED` tick in one transaction, all or nothing: reserves the new run keys (an
   * existing reservation, or any run tagged with the sensor and key, blocks one), stores a `QUEUED`
   * run (tags `vigil/sensor_name`, `vigil/run_key`, `vigil/tick_id`) and its `RUN_ENQUEUED` event
   * per new key and per key-less request, ends the tick (`FAILURE` with an error, else `SUCCESS`
   * if it created runs, else `SKIPPED`) and stores the sensor's state (cursor if `storeCursor`,
   * `lastTickTimestamp` = the tick's start, `lastRunKey`). Throws `InvalidStatusTransitionError`
   * if the tick has ended and `NotFoundError` if it does not exist; nothing is written then.
   */
  commitTick(commit: TickCommit): Promise<TickCommitResult>;
  /** Updates a tick after `assertTickTransition`; throws `NotFoundError` for an unknown id. */
  updateTick(tickId: number, update: TickUpdate): Promise<Tick>;
  getTick(tickId: number): Promise<Tick | null>;
  /** Newest first (by timestamp, then id). */
  getTicks(sensorName: string, options?: { limit?: number; statuses?: readonly TickStatus[]; beforeTimestamp?: number }): Promise<Tick[]>;
  /** Deletes the sensor's ticks with `status` and `timestamp < before`; returns how many. */
  purgeTicks(sensorName: string, status: TickStatus, before: number): Promise<number>;
}

/** Everything an instance stores. `close()` releases connections; it is safe to call twice. */
export interface Storage extends RunStorage, EventLogStorage, SensorStorage, TickStorage {
  /** Which backend this is, for messages and capability checks. */
  readonly dialectName: "sqlite" | "postgres";
  close(): Promise<void>;
}
