import type {
  ConcurrencyLimits,
  EventLogEntry,
  LeaseGrant,
  LeaseKind,
  LeaseRecord,
  ProcessKind,
  ProcessRecord,
  ProcessRegistration,
  RunQueueInfo,
  EventLogRecord,
  EventRecordsQuery,
  Run,
  RunConfigValue,
  RunStatus,
  StoredSensorState,
  SensorStatus,
  SensorStatusSource,
  Tick,
  TickHeader,
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
  /**
   * Claims `QUEUED` runs for launch, oldest first, as one transaction that applies the global and
   * per-tag limits to the runs in flight at that moment (serialized with every other claimer and
   * status change), so no number of claimers exceeds a limit or claims a run twice. Claimed runs
   * move to `STARTING` with a RUN_STARTING event naming the claimer. Returns: the claimed runs.
   */
  claimQueuedRuns(claim: RunClaim): Promise<Run[]>;
  /**
   * Where a `QUEUED` run stands: its position among queued runs and the limits that are full for it.
   * Returns null for a run that is not `QUEUED`; throws `NotFoundError` for an unknown run.
   */
  getRunQueueInfo(runId: string, limits: ConcurrencyLimits): Promise<RunQueueInfo | null>;
  /**
   * Records the process about to execute a claimed run (before the hand-off), with its tags, and
   * starts the run's heartbeat clock. Returns the run's tags; throws `NotFoundError` for an unknown run.
   */
  assignRunWorker(runId: string, workerId: string, tags: Readonly<Record<string, string>>): Promise<Record<string, string>>;
  /**
   * One heartbeat of a process executing runs: renews its registration and the heartbeat of each
   * run in `runIds`, and answers which of them were asked to stop (CANCELING) or ended by others.
   */
  heartbeatRuns(process: ProcessRegistration, runIds: readonly string[], ttlMs: number): Promise<RunHeartbeatAnswer>;
  /** Every run STARTING, STARTED or CANCELING with its liveness fields, and the database clock. */
  getInFlightRuns(): Promise<{ now: number; runs: InFlightRun[] }>;
  /** Appends what a run printed, in order. */
  appendRunLogs(runId: string, chunks: readonly RunLogEntryInput[]): Promise<void>;
  /** What a run printed, in order, after `afterId` (exclusive), at most `limit` pieces. */
  getRunLogs(runId: string, options?: { afterId?: number; limit?: number }): Promise<RunLogEntry[]>;
  /** Removes the work-queue jobs of runs that ended without their worker; nothing where there is no work queue. */
  removeQueueJobs(runIds: readonly string[]): Promise<void>;
}

/** One piece of a run's output to store. */
export interface RunLogEntryInput {
  stream: "stdout" | "stderr";
  timestamp: number;
  text: string;
}

/** A stored piece of a run's output; `id` orders them. */
export interface RunLogEntry extends RunLogEntryInput {
  id: number;
}

/** What `claimQueuedRuns` claims: at most `limit` runs that fit `maxConcurrentRuns` and the tag limits. */
export interface RunClaim extends ConcurrencyLimits {
  /** The claimer's process id, recorded on each run (`claimed_by`) and its RUN_STARTING event. */
  claimedBy: string;
  limit: number;
  /**
   * Enqueue every claimed run in the work queue in the same transaction (queue launcher): a run is
   * never claimed without its job, nor a job added without its claim. `tasks` routes job names to
   * work-queue tasks; others get `defaultTask`.
   */
  queue?: { defaultTask: string; tasks: Readonly<Record<string, string>> };
}

/** The answer to a run heartbeat. */
export interface RunHeartbeatAnswer {
  /** The database clock. */
  now: number;
  /** Runs asked to stop: cancel them. */
  canceling: string[];
  /** Runs already ended by someone else (failed by the monitor, canceled with force): stop them, write nothing. */
  ended: string[];
}

/** A run in flight as the run monitor judges it. Times on the database clock. */
export interface InFlightRun {
  run: Run;
  claimedBy: string | null;
  claimedAt: number | null;
  /** The process executing it (a registered process id), once one was assigned. */
  workerId: string | null;
  heartbeatAt: number | null;
  /** The work-queue task it was enqueued as (queue launcher): until a worker takes it, it waits there. */
  queueTask: string | null;
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

/** Proof that a daemon holds a sensor's lease: its process id and the lease's fencing token. */
export interface LeaseProof {
  owner: string;
  token: number;
}

/** A tick to start under a lease (`startTick`). */
export interface StartTick {
  sensorName: string;
  /** From the daemon's clock. */
  timestamp: number;
  /** Without one, nothing is checked and no dangling tick is closed (a caller without leases). */
  lease?: LeaseProof;
  /**
   * Look for the sensor's `STARTED` ticks to close (under a lease). A daemon whose previous tick
   * of this sensor, under this same token, ended cleanly knows there is none. @defaultValue true
   */
  closeDangling?: boolean;
}

/** What `startTick` wrote and read. */
export interface StartedTick {
  tick: Tick;
  /** The sensor's state as of the tick's start (its cursor is the tick's `cursorBefore`). */
  state: StoredSensorState | null;
  /** The sensor's earlier `STARTED` ticks this start closed as `SKIPPED`. */
  closed: Tick[];
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
  /** The lease the tick was started under: checked in the commit's transaction (`LeaseLostError`, nothing written). */
  lease?: LeaseProof;
  /** The tick's sensor, when the caller knows it (saves looking it up before the lease check). */
  sensorName?: string;
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
  /**
   * Starts a tick in one transaction: checks the lease (throws `LeaseLostError`, writing nothing,
   * when the daemon no longer holds it), closes the sensor's dangling `STARTED` ticks, reads the
   * sensor's state and inserts the `STARTED` tick with the state's cursor as `cursorBefore`.
   */
  startTick(request: StartTick): Promise<StartedTick>;
  /** Inserts a `STARTED` tick and, in the same transaction, stores its timestamp as the `lastTickStartTimestamp` of the sensor's state, if it has one. */
  createTick(tick: NewTick): Promise<Tick>;
  /**
   * Ends a `STARTED` tick in one transaction, all or nothing: reserves the new run keys (an
   * existing reservation, or any run tagged with the sensor and key, blocks one), stores a `QUEUED`
   * run (tags `vigil/sensor_name`, `vigil/run_key`, `vigil/tick_id`) and its `RUN_ENQUEUED` event
   * per new key and per key-less request, ends the tick (`FAILURE` with an error, else `SUCCESS`
   * if it created runs, else `SKIPPED`) and stores the sensor's state (cursor if `storeCursor`,
   * `lastTickTimestamp` = the tick's start, `lastRunKey`). Throws `InvalidStatusTransitionError`
   * if the tick has ended, `NotFoundError` if it does not exist and `LeaseLostError` if `lease` no
   * longer holds the sensor; nothing is written then. When the stored cursor is no longer the
   * tick's `cursorBefore` (edited during the tick), the tick ends `FAILURE` saying so and nothing
   * else is written.
   */
  commitTick(commit: TickCommit): Promise<TickCommitResult>;
  /** Updates a tick after `assertTickTransition`; throws `NotFoundError` for an unknown id. */
  updateTick(tickId: number, update: TickUpdate): Promise<Tick>;
  getTick(tickId: number): Promise<Tick | null>;
  /** The newest tick of each sensor that has one, without lists or bodies (one index seek each). */
  getLatestTickHeaders(sensorNames: readonly string[]): Promise<Map<string, TickHeader>>;
  /** Newest first (by timestamp, then id). */
  getTicks(sensorName: string, options?: { limit?: number; statuses?: readonly TickStatus[]; beforeTimestamp?: number }): Promise<Tick[]>;
  /** Deletes the sensor's ticks with `status` and `timestamp < before`; returns how many. */
  purgeTicks(sensorName: string, status: TickStatus, before: number): Promise<number>;
}

/** Something a daemon can lease. */
export interface LeaseKey {
  kind: LeaseKind;
  name: string;
}

/** One daemon's lease round (see `OwnershipStorage.runLeaseRound`). */
export interface LeaseRound {
  /** The daemon, registered (or renewed) by the round. */
  daemon: ProcessRegistration;
  /** How long its registration and leases last without another round (ms). */
  leaseMs: number;
  /** What it can serve now: its running sensors, and the singletons it would take on. */
  wanted: readonly LeaseKey[];
  /** Keys with work in flight: kept even beyond its share, so they move only between ticks. */
  busy: readonly LeaseKey[];
  /** Refuse (writing nothing) when another live daemon is registered: SQLite allows one. */
  exclusive: boolean;
  /** Daemons the caller found dead by a fast local check (same host and PID namespace, pid gone). */
  deadProcessIds: readonly string[];
}

/** What a lease round left. */
export interface LeaseRoundResult {
  /** The database clock when the round ran. */
  now: number;
  /** With `exclusive`: the live daemon that already serves the instance (nothing was written). */
  conflict: ProcessRecord | null;
  /** Live daemons, this one included. */
  liveDaemons: number;
  /** Everything this daemon holds after the round. */
  held: LeaseGrant[];
}

/** Registered processes and leases: who is alive and who owns what, judged on the database clock. */
export interface OwnershipStorage {
  /**
   * A daemon's lease round, in one transaction serialized with every other daemon's: registers or
   * renews it, frees the leases of dead daemons, releases what it no longer wants or what exceeds its
   * fair share (sensors / live daemons, to within one), renews the rest and acquires free or expired leases
   * up to its share (token + 1 each). See docs/ownership.md.
   */
  runLeaseRound(round: LeaseRound): Promise<LeaseRoundResult>;
  /** Releases every lease of `owner` and removes its registration (a clean stop). */
  releaseOwner(owner: string): Promise<void>;
  /** Registers a process or renews its heartbeat; it counts as alive for `ttlMs`. */
  heartbeatProcess(process: ProcessRegistration, ttlMs: number): Promise<ProcessRecord>;
  /** Removes a process's registration (a clean exit). */
  removeProcess(id: string): Promise<void>;
  /** Registered processes, oldest first; `aliveOnly` drops expired ones. Also returns the database clock. */
  getProcesses(options?: { kinds?: readonly ProcessKind[]; aliveOnly?: boolean; ids?: readonly string[] }): Promise<{ now: number; processes: ProcessRecord[] }>;
  /** Every lease. */
  getLeases(): Promise<LeaseRecord[]>;
}

/** Everything an instance stores. `close()` releases connections; it is safe to call twice. */
export interface Storage extends RunStorage, EventLogStorage, SensorStorage, TickStorage, OwnershipStorage {
  /** Which backend this is, for messages and capability checks. */
  readonly dialectName: "sqlite" | "postgres";
  /** Whether several daemons may serve this storage at once (else a second one is refused). */
  readonly supportsManyDaemons: boolean;
  close(): Promise<void>;
}
