import { sql, type Kysely, type Transaction } from "kysely";
import { NotFoundError, StorageError, VigilError, ErrorCode } from "../errors/index.js";
import {
  RunStatus,
  TickStatus as TickStatusValue,
  assertRunTransition,
  assertTickTransition,
  capTickLists,
  isTerminalRunStatus,
  runStatusForEvent,
  type ConcurrencyLimits,
  type EventLogEntry,
  type EventLogRecord,
  type LeaseRecord,
  type ProcessKind,
  type ProcessRecord,
  type ProcessRegistration,
  type Run,
  type RunQueueInfo,
  type StoredSensorState,
  type Tick,
  type TickHeader,
  type TickStatus,
} from "../model/index.js";
import type { DialectCapabilities } from "./dialect-capabilities.js";
import { migrate, type MigrateResult } from "./migrations/migrate.js";
import { selectAssetKeys, type AssetKeyRecord } from "./queries/assets.js";
import * as events from "./queries/events.js";
import * as runTags from "./queries/run-tags.js";
import * as runs from "./queries/runs.js";
import * as sensors from "./queries/sensors.js";
import * as ticks from "./queries/ticks.js";
import { commitTickRows } from "./queries/tick-commit.js";
import { noticeOf, selectNoticeBetween } from "./queries/event-notices.js";
import { releaseOwner, runLeaseRound, selectLeases } from "./queries/leases.js";
import { deleteProcesses, selectProcesses, upsertProcess } from "./queries/processes.js";
import { claimRunRows, selectRunQueueInfo } from "./queries/run-claims.js";
import { assignRunWorker, heartbeatRuns, selectInFlightRuns } from "./queries/run-liveness.js";
import { startTickRows } from "./queries/tick-start.js";
import type { Database } from "./schema.js";
import type {
  EventRecordsFilter,
  EventsStoredNotice,
  InFlightRun,
  LeaseRound,
  LeaseRoundResult,
  RunClaim,
  RunHeartbeatAnswer,
  RunLogEntry,
  RunLogEntryInput,
  StartedTick,
  StartTick,
  NewRun,
  NewTick,
  RunKeyReservation,
  RunsFilter,
  SensorStateUpdate,
  Storage,
  TickCommit,
  TickCommitResult,
  TickUpdate,
} from "./storage.js";

/**
 * The one `Storage` implementation, on any Kysely dialect described by `DialectCapabilities`.
 * Every write runs in one transaction (on SQLite a `BEGIN IMMEDIATE` one, see `dialects/sqlite.ts`);
 * driver errors come out as `StorageError`, Vigil's own errors unchanged.
 * Build it with `openSqliteStorage` or `openPostgresStorage`.
 */
export class SqlStorage implements Storage {
  readonly dialectName: "sqlite" | "postgres";
  readonly supportsManyDaemons: boolean;
  #closed = false;
  readonly #db: Kysely<Database>;
  /**
   * Where heartbeats and lease rounds go: their own small pool on PostgreSQL, so a burst of ticks
   * and runs holding every data connection never delays a renewal past its lease (the same
   * database as `#db` otherwise).
   */
  readonly #control: Kysely<Database>;
  readonly #caps: DialectCapabilities;
  readonly #eventRowsPerStatement: number;
  readonly #keysPerStatement: number;

  constructor(db: Kysely<Database>, capabilities: DialectCapabilities, control: Kysely<Database> = db) {
    this.#db = db;
    this.#control = control;
    this.#caps = capabilities;
    this.dialectName = capabilities.name;
    this.supportsManyDaemons = capabilities.supportsManyDaemons;
    this.#eventRowsPerStatement = Math.min(500, Math.floor(capabilities.maxParameters / events.EVENT_INSERT_PARAMS_PER_ROW));
    this.#keysPerStatement = Math.min(1000, capabilities.maxParameters - 1);
  }

  // ---- runs -------------------------------------------------------------------------------

  addRun(run: NewRun): Promise<Run> {
    return this.#write(`store run "${run.runId}"`, async (trx) => {
      const stored = await runs.insertRun(trx, run, Date.now());
      if (stored === null) throw duplicateRun(run.runId);
      return stored;
    });
  }

  createRunIfNewKey(run: NewRun, key: RunKeyReservation): Promise<Run | null> {
    return this.#write(`store run "${run.runId}" for run key "${key.runKey}"`, async (trx) => {
      const now = Date.now();
      if (!(await runs.reserveRunKey(trx, key.sensorName, key.runKey, run.runId, now))) return null;
      const stored = await runs.insertRun(trx, run, now);
      if (stored === null) throw duplicateRun(run.runId);
      return stored;
    });
  }

  getRunIdsForRunKeys(sensorName: string, runKeys: readonly string[]): Promise<Map<string, string>> {
    return this.#read(`read run keys of sensor "${sensorName}"`, () =>
      runs.selectRunKeys(this.#db, sensorName, runKeys, this.#keysPerStatement),
    );
  }

  addRunTags(runId: string, tags: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    return this.#write(`tag run "${runId}"`, async (trx) => {
      const merged = await runTags.addRunTags(trx, runId, tags, this.#caps.supportsRowLocks, Date.now());
      if (merged === null) throw new NotFoundError("run", runId, `Run "${runId}" does not exist; it cannot be tagged.`);
      return merged;
    });
  }

  claimQueuedRuns(claim: RunClaim): Promise<Run[]> {
    return this.#write(`claim queued runs for ${claim.claimedBy}`, async (trx) => {
      // Every claimer counts and claims alone; status moves elsewhere wait on the append lock.
      await this.#caps.lockFor(trx, "run-queue");
      await this.#caps.serializeEventAppends(trx);
      const now = await this.#caps.now(trx);
      const { runs: claimed, entries } = await claimRunRows(trx, claim, now, this.#caps.supportsRowLocks);
      if (claim.queue !== undefined && claimed.length > 0) await this.#enqueue(trx, claimed, claim.queue);
      if (entries.length > 0) {
        await events.insertEvents(trx, entries, this.#eventRowsPerStatement);
        await this.#caps.notifyEventsStored?.(trx, noticeOf(entries));
      }
      return claimed;
    });
  }

  /** Adds the claimed runs' work-queue jobs in the claim's transaction, and records their task on each run. */
  async #enqueue(trx: Transaction<Database>, claimed: readonly Run[], queue: NonNullable<RunClaim["queue"]>): Promise<void> {
    if (this.#caps.addQueueJobs === undefined) {
      throw new StorageError(`Cannot enqueue runs in the work queue: this ${this.dialectName} storage has none (the queue launcher needs PostgreSQL storage opened with runLauncher "queue").`);
    }
    const jobs = claimed.map((run) => ({ runId: run.runId, task: queue.tasks[run.jobName] ?? queue.defaultTask }));
    await this.#caps.addQueueJobs(trx, jobs);
    for (const task of new Set(jobs.map((j) => j.task))) {
      const ids = jobs.filter((j) => j.task === task).map((j) => j.runId);
      await trx.updateTable("runs").set({ queue_task: task }).where("run_id", "in", ids).execute();
    }
  }

  appendRunLogs(runId: string, chunks: readonly RunLogEntryInput[]): Promise<void> {
    if (chunks.length === 0) return Promise.resolve();
    return this.#write(`store the output of run "${runId}"`, async (trx) => {
      const perStatement = Math.max(1, Math.floor(this.#caps.maxParameters / 4));
      for (let i = 0; i < chunks.length; i += perStatement) {
        await trx.insertInto("run_logs").values(chunks.slice(i, i + perStatement).map((c) => ({ run_id: runId, stream: c.stream, timestamp: c.timestamp, text: c.text }))).execute();
      }
    });
  }

  getRunLogs(runId: string, options: { afterId?: number; limit?: number } = {}): Promise<RunLogEntry[]> {
    return this.#read(`read the output of run "${runId}"`, async () => {
      let q = this.#db.selectFrom("run_logs").selectAll().where("run_id", "=", runId).where("id", ">", options.afterId ?? 0).orderBy("id");
      if (options.limit !== undefined) q = q.limit(options.limit);
      const rows = await q.execute();
      return rows.map((r) => ({ id: Number(r.id), stream: r.stream, timestamp: Number(r.timestamp), text: r.text }));
    });
  }

  removeQueueJobs(runIds: readonly string[]): Promise<void> {
    const remove = this.#caps.removeQueueJobs;
    if (remove === undefined || runIds.length === 0) return Promise.resolve();
    return this.#read("remove work-queue jobs", () => remove(this.#db, runIds));
  }

  getRunQueueInfo(runId: string, limits: ConcurrencyLimits): Promise<RunQueueInfo | null> {
    return this.#read(`read the queue position of run "${runId}"`, async () => {
      const info = await selectRunQueueInfo(this.#db, runId, limits);
      if (info === undefined) throw new NotFoundError("run", runId, `Run "${runId}" does not exist in this instance; check the run id.`);
      return info;
    });
  }

  assignRunWorker(runId: string, workerId: string, tags: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    return this.#write(`record the worker of run "${runId}"`, async (trx) => {
      const merged = await assignRunWorker(trx, runId, workerId, tags, await this.#caps.now(trx), this.#caps.supportsRowLocks);
      if (merged === null) throw new NotFoundError("run", runId, `Run "${runId}" does not exist; it cannot be given a worker.`);
      return merged;
    });
  }

  heartbeatRuns(process: ProcessRegistration, runIds: readonly string[], ttlMs: number): Promise<RunHeartbeatAnswer> {
    return this.#writeControl(`store the heartbeat of process ${process.id}`, async (trx) => heartbeatRuns(trx, process, runIds, await this.#caps.now(trx), ttlMs));
  }

  getInFlightRuns(): Promise<{ now: number; runs: InFlightRun[] }> {
    return this.#read("read the runs in flight", async () => ({ now: await this.#caps.now(this.#db), runs: await selectInFlightRuns(this.#db) }));
  }

  getRun(runId: string): Promise<Run | null> {
    return this.#read(`read run "${runId}"`, () => runs.selectRun(this.#db, runId));
  }

  getRuns(filter?: RunsFilter): Promise<Run[]> {
    return this.#read("read runs", () => runs.selectRuns(this.#db, filter));
  }

  countRuns(filter?: RunsFilter): Promise<number> {
    return this.#read("count runs", () => runs.countRuns(this.#db, filter));
  }

  // ---- event log ----------------------------------------------------------------------------

  storeEvents(entries: readonly EventLogEntry[]): Promise<EventLogRecord[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return this.#write(`store ${entries.length} event${entries.length === 1 ? "" : "s"}`, async (trx) => {
      // First, so that status checks below read the latest committed run status too.
      await this.#caps.serializeEventAppends(trx);
      const moved = await this.#applyStatusMoves(trx, entries);
      const ids = await events.insertEvents(trx, entries, this.#eventRowsPerStatement);
      const now = Date.now();
      for (const [runId, next] of moved) await runs.updateRunStatus(trx, runId, next, now);
      // Delivered by PostgreSQL at commit, never for a rolled-back append.
      await this.#caps.notifyEventsStored?.(trx, noticeOf(entries));
      return entries.map((entry, i) => ({ storageId: ids[i] ?? 0, entry }));
    });
  }

  /**
   * Checks every run status move of the batch, in order, against the runs' stored statuses, and
   * returns each moved run's final status fields. Throws before anything is written.
   */
  async #applyStatusMoves(trx: Transaction<Database>, entries: readonly EventLogEntry[]): Promise<Map<string, runs.RunStatusRow>> {
    const moves = entries.flatMap((entry) => {
      const type = entry.event?.eventType;
      const to = entry.event?.runStatus ?? (type === undefined ? null : runStatusForEvent(type));
      return to === null ? [] : [{ runId: entry.runId, to, at: entry.timestamp }];
    });
    const moved = new Map<string, runs.RunStatusRow>();
    if (moves.length === 0) return moved;
    const current = await runs.selectRunStatuses(trx, [...new Set(moves.map((m) => m.runId))]);
    for (const { runId, to, at } of moves) {
      const run = moved.get(runId) ?? current.get(runId);
      if (run === undefined) {
        throw new NotFoundError("run", runId, `Run "${runId}" does not exist; store it with addRun before storing its status events.`);
      }
      assertRunTransition(runId, run.status, to);
      moved.set(runId, {
        status: to,
        startedAt: to === RunStatus.STARTED ? at : run.startedAt,
        endedAt: isTerminalRunStatus(to) ? at : run.endedAt,
      });
    }
    return moved;
  }

  getEventRecords(filter: EventRecordsFilter): Promise<EventLogRecord[]> {
    return this.#read(`read ${filter.eventType} event records`, () => events.selectEventRecords(this.#db, filter));
  }

  getRunEvents(runId: string, options?: { afterStorageId?: number; limit?: number }): Promise<EventLogRecord[]> {
    return this.#read(`read the events of run "${runId}"`, () => events.selectRunEvents(this.#db, runId, options));
  }

  getMaxStorageId(): Promise<number> {
    return this.#read("read the newest storage id", () => events.selectMaxStorageId(this.#db));
  }

  getAssetKeys(): Promise<AssetKeyRecord[]> {
    return this.#read("read the asset keys", () => selectAssetKeys(this.#db));
  }

  onEventsStored(callback: (notice: EventsStoredNotice) => void, options: { pollMs?: number } = {}): () => void {
    if (this.#caps.listenForEvents !== undefined) return this.#caps.listenForEvents(callback);
    return this.#pollEvents(callback, options.pollMs ?? 100);
  }

  /** `onEventsStored` without notifications: polls the newest storage id, then reads what is new. */
  #pollEvents(callback: (notice: EventsStoredNotice) => void, pollMs: number): () => void {
    let last: number | null = null;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = async () => {
      try {
        if (this.#closed) return;
        const newest = await events.selectMaxStorageId(this.#db);
        if (last !== null && newest > last) {
          const notice = await selectNoticeBetween(this.#db, last, newest);
          if (!stopped) callback(notice);
        }
        last = newest;
      } catch {
        // Storage unreachable or closed: try again at the next poll.
      }
      if (!stopped && !this.#closed) timer = setTimeout(() => void poll(), pollMs).unref();
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /** @internal The first row of a raw read-only query on a data connection (tests inspect settings such as SQLite pragmas). */
  inspect(query: string): Promise<Record<string, unknown> | undefined> {
    return this.#read("inspect the database", async () => (await sql.raw<Record<string, unknown>>(query).execute(this.#db)).rows[0]);
  }

  /** @internal The query plan `getEventRecords(filter)` would use, as text (tests and benchmarks). */
  explainEventRecords(filter: EventRecordsFilter): Promise<string> {
    return this.#read("explain an event records query", () =>
      this.#caps.explain(this.#db, events.eventRecordsQuery(this.#db, filter).compile()),
    );
  }

  // ---- sensors ------------------------------------------------------------------------------

  getSensorState(name: string): Promise<StoredSensorState | null> {
    return this.#read(`read the state of sensor "${name}"`, () => sensors.selectSensorState(this.#db, name));
  }

  getSensorStates(): Promise<StoredSensorState[]> {
    return this.#read("read sensor states", () => sensors.selectSensorStates(this.#db));
  }

  upsertSensorState(update: SensorStateUpdate): Promise<StoredSensorState> {
    return this.#write(`store the state of sensor "${update.name}"`, (trx) => sensors.upsertSensorState(trx, update, Date.now()));
  }

  // ---- ticks --------------------------------------------------------------------------------

  startTick(request: StartTick): Promise<StartedTick> {
    return this.#write(`start a tick of sensor "${request.sensorName}"`, (trx) => startTickRows(trx, request, Date.now(), this.#caps.supportsRowLocks));
  }

  createTick(tick: NewTick): Promise<Tick> {
    return this.#write(`store a tick of sensor "${tick.sensorName}"`, async (trx) => {
      const created = await ticks.insertTick(trx, tick);
      // The start of the newest tick spaces the next one, also for a restarted or second daemon.
      await sensors.recordTickStart(trx, tick.sensorName, tick.timestamp, Date.now());
      return created;
    });
  }

  updateTick(tickId: number, update: TickUpdate): Promise<Tick> {
    return this.#write(`update tick ${tickId}`, async (trx) => {
      const tick = await ticks.selectTick(trx, tickId, this.#caps.supportsRowLocks);
      if (tick === null) {
        // NotFoundKind has no "tick"; a tick belongs to a sensor, so it is reported under that kind.
        throw new NotFoundError("sensor", String(tickId), `Tick ${tickId} does not exist; it may have been purged.`);
      }
      assertTickTransition(tickId, tick.status, update.status);
      const next: Tick = {
        ...tick,
        status: update.status,
        ...definedOnly({
          endTimestamp: update.endTimestamp,
          runIds: update.runIds,
          runKeys: update.runKeys,
          dedupedRunKeys: update.dedupedRunKeys,
          skipReason: update.skipReason,
          error: update.error,
          cursor: update.cursor,
        }),
      };
      const stored = capTickLists(next);
      await ticks.updateTickRow(trx, stored);
      return stored;
    });
  }

  commitTick(commit: TickCommit): Promise<TickCommitResult> {
    return this.#write(`commit tick ${commit.tickId}`, async (trx) => {
      const limits = {
        inStrings: (column: string, values: readonly string[]) => this.#caps.inStrings(column, values),
        eventRowsPerStatement: this.#eventRowsPerStatement,
        maxParameters: this.#caps.maxParameters,
        rowLocks: this.#caps.supportsRowLocks,
        serializeEventAppends: () => this.#caps.serializeEventAppends(trx),
      };
      const to = commit.error === null ? TickStatusValue.SUCCESS : TickStatusValue.FAILURE;
      const result = await commitTickRows(trx, commit, Date.now(), limits, (tick) => assertTickTransition(tick.id, tick.status, to));
      if (result === null) throw new NotFoundError("sensor", String(commit.tickId), `Tick ${commit.tickId} does not exist; it may have been purged.`);
      return result;
    });
  }

  getLatestTickHeaders(sensorNames: readonly string[]): Promise<Map<string, TickHeader>> {
    return this.#read("read the newest ticks", () => ticks.selectLatestTickHeaders(this.#db, sensorNames));
  }

  getTick(tickId: number): Promise<Tick | null> {
    return this.#read(`read tick ${tickId}`, () => ticks.selectTick(this.#db, tickId));
  }

  getTicks(sensorName: string, options?: { limit?: number; statuses?: readonly TickStatus[]; beforeTimestamp?: number }): Promise<Tick[]> {
    return this.#read(`read the ticks of sensor "${sensorName}"`, () => ticks.selectTicks(this.#db, sensorName, options));
  }

  purgeTicks(sensorName: string, status: TickStatus, before: number): Promise<number> {
    return this.#write(`purge the ticks of sensor "${sensorName}"`, (trx) => ticks.deleteTicks(trx, sensorName, status, before));
  }

  // ---- ownership ----------------------------------------------------------------------------

  runLeaseRound(round: LeaseRound): Promise<LeaseRoundResult> {
    return this.#writeControl(`run the lease round of daemon ${round.daemon.id}`, async (trx) => {
      await this.#caps.lockFor(trx, "leases");
      return runLeaseRound(trx, round, await this.#caps.now(trx));
    });
  }

  releaseOwner(owner: string): Promise<void> {
    return this.#writeControl(`release the leases of daemon ${owner}`, async (trx) => {
      await this.#caps.lockFor(trx, "leases");
      await releaseOwner(trx, owner);
    });
  }

  heartbeatProcess(process: ProcessRegistration, ttlMs: number): Promise<ProcessRecord> {
    return this.#writeControl(`store the heartbeat of process ${process.id}`, async (trx) => upsertProcess(trx, process, await this.#caps.now(trx), ttlMs));
  }

  removeProcess(id: string): Promise<void> {
    return this.#write(`remove process ${id}`, (trx) => deleteProcesses(trx, [id]));
  }

  getProcesses(options: { kinds?: readonly ProcessKind[]; aliveOnly?: boolean; ids?: readonly string[] } = {}): Promise<{ now: number; processes: ProcessRecord[] }> {
    // On the control connections: a lease round reads them first, and must not queue behind ticks.
    return this.#read("read the registered processes", async () => {
      const now = await this.#caps.now(this.#control);
      const { aliveOnly, ...rest } = options;
      return { now, processes: await selectProcesses(this.#control, { ...rest, ...(aliveOnly === true ? { aliveAt: now } : {}) }) };
    });
  }

  getLeases(): Promise<LeaseRecord[]> {
    return this.#read("read the leases", () => selectLeases(this.#db));
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Applies pending migrations (the openers already did); never throws, see `MigrateResult`. */
  migrate(): Promise<MigrateResult> {
    return migrate(this.#db, this.#caps);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.destroy();
    if (this.#control !== this.#db) await this.#control.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #read<T>(action: string, fn: () => Promise<T>): Promise<T> {
    return this.#guard(action, fn);
  }

  #writeControl<T>(action: string, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.#guard(action, () => this.#control.transaction().execute(fn));
  }

  #write<T>(action: string, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.#guard(action, () => this.#db.transaction().execute(fn));
  }

  async #guard<T>(action: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new StorageError(`Cannot ${action}: this ${this.dialectName} storage is closed; open a new one.`);
    }
    try {
      return await fn();
    } catch (error) {
      if (VigilError.is(error)) throw error;
      const { reason, unreachable } = this.#caps.describeError(error);
      throw unreachable
        ? new StorageError(`Could not ${action}: the ${this.dialectName} database is unreachable (${reason}); check that the server is running.`, {
            cause: error,
            code: ErrorCode.STORAGE_UNREACHABLE,
          })
        : new StorageError(`Could not ${action} in ${this.dialectName} storage (${reason}); check that the database is reachable and writable.`, {
            cause: error,
          });
    }
  }
}

function duplicateRun(runId: string): StorageError {
  return new StorageError(`Run "${runId}" already exists; give each run a new id.`);
}

/** The entries of `o` whose value is not `undefined` (an omitted update field keeps its value). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
