import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InstanceReader } from "../definitions/instance-reader.js";
import { ErrorCode, InstanceConfigError, InvalidArgumentError, NotFoundError, TimeoutError, VigilError } from "../errors/index.js";
import { queueSchemaFor } from "../storage/queue-schema.js";
import {
  AssetKey,
  EventType,
  isEventType,
  LeaseKind,
  ProcessKind,
  RunStatus,
  isTerminalRunStatus,
  SensorStatus,
  type AssetKeyLike,
  type DeploymentStatus,
  type EventLogRecord,
  type EventRecordsQuery,
  type Run,
  type RunQueueInfo,
  type RunsQuery,
  type SensorState,
  type StoredSensorState,
  type Tick,
  type TickStatus,
} from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { compileInstanceConfig, type CompiledInstanceConfig, type StorageConfig } from "./instance-config.js";
import { loadInstanceConfig, resolveHome } from "./load-instance-config.js";
import { createRunCoordinator, createRunLauncher, createRunMonitor, heartbeatTiming, type LaunchTarget } from "./run-launching.js";
import { newProcessId, registrationOf } from "../execution/process-identity.js";
import { RunHeartbeat } from "../execution/run-heartbeat.js";
import type { RunCoordinator } from "../coordinator/run-coordinator.js";
import type { RunMonitor } from "../coordinator/run-monitor.js";
import type { RunLauncher } from "../launchers/run-launcher.js";
import { terminateRunWorker } from "../launchers/terminate-worker.js";

/** Options of `instance.cancelRun`. */
export interface CancelRunOptions {
  /**
   * Mark the run `CANCELED` at once, whatever its worker does (a worker that is still running
   * learns of it at its next heartbeat and stops, writing nothing more). @defaultValue false
   */
  force?: boolean;
}

/** Options of `instance.waitForRun`. */
export interface WaitForRunOptions {
  /** @defaultValue 60_000 */
  timeoutMs?: number;
  /** How often storage is polled. @defaultValue 25 */
  pollIntervalMs?: number;
}

/**
 * Storage plus run launching: what every part of Vigil (executeInProcess, the daemon, the CLI,
 * the UI) reads and writes through. Build one with `Instance.open()` or, in tests,
 * `Instance.ephemeral()`; release it with `close()` (or `await using`).
 *
 * @example
 * await using instance = await Instance.ephemeral();
 * const result = await myJob.executeInProcess({ instance });
 * const runs = await instance.getRuns({ jobName: "my_job" });
 */
export class Instance implements InstanceReader, AsyncDisposable {
  /** @internal The storage behind this instance. */
  readonly storage: Storage;
  /** The compiled `vigil.yaml` (defaults filled in). */
  readonly config: CompiledInstanceConfig;
  /** The home folder, or null for an ephemeral instance. */
  readonly home: string | null;
  /** Where run logs and other files go: the home folder, or the ephemeral instance's temp folder. */
  readonly #dataDir: string;
  readonly #onClose: () => void;
  #heartbeat: RunHeartbeat | null = null;
  #closed = false;

  private constructor(storage: Storage, config: CompiledInstanceConfig, home: string | null, dataDir: string, onClose: () => void) {
    this.storage = storage;
    this.config = config;
    this.home = home;
    this.#dataDir = dataDir;
    this.#onClose = onClose;
  }

  /**
   * A throwaway instance on a temporary SQLite file (reachable from worker threads and
   * subprocesses, unlike `:memory:`), with the in-process launcher; `close()` deletes it.
   */
  static async ephemeral(): Promise<Instance> {
    const dir = mkdtempSync(join(tmpdir(), "vigil-ephemeral-"));
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    const config = compileInstanceConfig({ storage: { sqlite: { path: "vigil.db" } }, runLauncher: "in-process" }, {
      file: "(ephemeral instance)",
      home: dir,
      env: {},
      resolvePath: (base, path) => join(base, path),
    });
    try {
      const storage = await openStorage(config.storage);
      return new Instance(storage, config, null, dir, removeDir);
    } catch (error) {
      removeDir();
      throw error;
    }
  }

  /**
   * Opens the instance at `home` (default `$VIGIL_HOME`, else `./.vigil`), creating the folder if
   * needed, reading `<home>/vigil.yaml` and migrating its database.
   */
  static async open(home?: string): Promise<Instance> {
    const dir = resolveHome(home);
    const config = loadInstanceConfig(dir);
    mkdirSync(dir, { recursive: true });
    const storage = await openStorage(config.storage, config.runLauncher === "queue");
    return new Instance(storage, config, dir, dir, () => undefined);
  }

  async getRun(runId: string): Promise<Run | null> {
    return this.storage.getRun(runId);
  }

  /** Runs matching every given filter, newest first. */
  async getRuns(query: RunsQuery = {}): Promise<Run[]> {
    checkLimit(query.limit, "getRuns");
    return this.storage.getRuns(query);
  }

  /**
   * Resolves with the run once it is `SUCCESS`, `FAILURE` or `CANCELED`. Rejects at once for an
   * unknown run id, and with a `TimeoutError` naming the run and its status after `timeoutMs`.
   */
  async waitForRun(runId: string, options: WaitForRunOptions = {}): Promise<Run> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const pollMs = options.pollIntervalMs ?? 25;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.storage.getRun(runId);
      if (run === null) throw new NotFoundError("run", runId, `Run "${runId}" does not exist in this instance; check the run id.`);
      if (isTerminalRunStatus(run.status)) return run;
      if (Date.now() >= deadline) {
        throw new TimeoutError(`Run "${runId}" did not finish within ${timeoutMs} ms; it is still ${run.status}.`);
      }
      await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
    }
  }

  /**
   * Cancels a run. A run that has not started (`QUEUED`, `NOT_STARTED`) becomes `CANCELED` at once;
   * one starting or running becomes `CANCELING`: its worker stops at its next heartbeat, wherever it
   * runs (at once for a launcher of this process or a worker on this host), and the run ends
   * `CANCELED` (or, if the worker is gone, the run monitor ends it). With `force`, a starting,
   * running or canceling run becomes `CANCELED` at once. A run already `CANCELING` is returned as it
   * is (unless `force`). Rejects with a `NotFoundError` for an unknown run and an
   * `InvalidArgumentError` for a finished one.
   */
  async cancelRun(runId: string, options: CancelRunOptions = {}): Promise<Run> {
    for (;;) {
      const run = await this.storage.getRun(runId);
      if (run === null) throw new NotFoundError("run", runId, `Run "${runId}" does not exist in this instance; check the run id.`);
      if (isTerminalRunStatus(run.status)) {
        throw new InvalidArgumentError(`Run "${runId}" has already finished (${run.status}); only a queued or running run can be canceled.`);
      }
      if (run.status === RunStatus.CANCELING && options.force !== true) return run;
      const immediate = run.status === RunStatus.QUEUED || run.status === RunStatus.NOT_STARTED || options.force === true;
      const message = !immediate
        ? "Cancel requested; the run will stop."
        : run.status === RunStatus.QUEUED || run.status === RunStatus.NOT_STARTED
          ? "Run canceled before it started."
          : "Run canceled with force: marked CANCELED at once; its worker, if it still runs, stops at its next heartbeat.";
      try {
        await this.storage.storeEvents([
          {
            runId,
            jobName: run.jobName,
            timestamp: Date.now(),
            level: immediate ? "INFO" : "WARNING",
            message,
            event: immediate ? { eventType: EventType.RUN_CANCELED, runStatus: RunStatus.CANCELED } : { eventType: EventType.RUN_CANCELING, runStatus: RunStatus.CANCELING },
          },
        ]);
      } catch (error) {
        // Its status moved meanwhile (a coordinator claimed it, or it finished): look again.
        if (VigilError.is(error, ErrorCode.INVALID_STATUS_TRANSITION)) continue;
        throw error;
      }
      const updated = (await this.storage.getRun(runId)) ?? run;
      if (run.status !== RunStatus.QUEUED && run.status !== RunStatus.NOT_STARTED) await terminateRunWorker(updated).catch(() => "unknown");
      return updated;
    }
  }

  /**
   * Why a `QUEUED` run waits: its position among queued runs (1 = next) and the concurrency limits
   * of `vigil.yaml` that are full for it. Null when the run is not queued; `NotFoundError` when unknown.
   */
  async getRunQueueInfo(runId: string): Promise<RunQueueInfo | null> {
    return this.storage.getRunQueueInfo(runId, this.config.runCoordinator);
  }

  /** Live daemons (with the sensors they own), live processes executing runs, and run counts. */
  async getDeploymentStatus(): Promise<DeploymentStatus> {
    const [{ now, processes }, leases, inFlight, queued] = await Promise.all([
      this.storage.getProcesses({ aliveOnly: true }),
      this.storage.getLeases(),
      this.storage.getInFlightRuns(),
      this.storage.countRuns({ statuses: [RunStatus.QUEUED] }),
    ]);
    const held = (owner: string, kind: LeaseKind) =>
      leases.filter((l) => l.owner === owner && l.kind === kind && (l.expiresAt ?? 0) > now).map((l) => l.name);
    const runsOn = new Map<string, number>();
    for (const r of inFlight.runs) if (r.workerId !== null) runsOn.set(r.workerId, (runsOn.get(r.workerId) ?? 0) + 1);
    return {
      now,
      daemons: processes
        .filter((p) => p.kind === ProcessKind.DAEMON)
        .map((p) => ({ id: p.id, host: p.host, pid: p.pid, startedAt: p.startedAt, heartbeatAgeMs: now - p.heartbeatAt, sensors: held(p.id, LeaseKind.SENSOR), duties: held(p.id, LeaseKind.SINGLETON) })),
      workers: processes
        .filter((p) => p.kind !== ProcessKind.DAEMON)
        .map((p) => ({ id: p.id, kind: p.kind, host: p.host, pid: p.pid, startedAt: p.startedAt, heartbeatAgeMs: now - p.heartbeatAt, runsInFlight: runsOn.get(p.id) ?? 0, info: p.info })),
      runs: { queued, inFlight: inFlight.runs.length },
    };
  }

  /**
   * @internal Where this instance's work queue lives (`runLauncher: queue`), for `vigil worker`.
   * Throws an `InstanceConfigError` saying what to set when the instance has no work queue.
   */
  workQueue(): { connectionString: string; queueSchema: string } {
    const file = this.home === null ? "this instance" : join(this.home, "vigil.yaml");
    if (this.config.storage.kind !== "postgres" || this.config.runLauncher !== "queue") {
      throw new InstanceConfigError(
        `"vigil worker" takes runs from the work queue, which ${file} does not use (runLauncher is "${this.config.runLauncher}", storage is ${this.config.storage.kind}); set storage.postgres.url and runLauncher: queue, and run the daemons with the same vigil.yaml.`,
      );
    }
    return { connectionString: this.config.storage.url, queueSchema: queueSchemaFor("public") };
  }

  /**
   * @internal This process's run heartbeat on this instance (created on first use, closed with the
   * instance): every run this process executes — in-process launcher, `executeInProcess`,
   * `vigil job execute` — is recorded under its process id and heartbeats through it.
   */
  runHeartbeat(): RunHeartbeat {
    this.#heartbeat ??= new RunHeartbeat({
      storage: this.storage,
      process: registrationOf(newProcessId(), ProcessKind.RUNNER, { home: this.home }),
      ...heartbeatTiming(this.config),
    });
    return this.#heartbeat;
  }

  /** Event records of one type, filtered; newest first unless `ascending`. All bounds are strict. */
  async getEventRecords(query: EventRecordsQuery): Promise<EventLogRecord[]> {
    if (!isEventType(query.eventType)) {
      throw new InvalidArgumentError(`getEventRecords needs an eventType from EventType (e.g. EventType.ASSET_MATERIALIZATION); got ${JSON.stringify(query.eventType)}.`);
    }
    checkLimit(query.limit, "getEventRecords");
    const { assetKey, ...rest } = query;
    return this.storage.getEventRecords(assetKey === undefined ? rest : { ...rest, assetKey: AssetKey.from(assetKey).toString() });
  }

  /** The newest materialization of an asset, or null if it was never materialized. */
  async getLatestMaterialization(assetKey: AssetKeyLike): Promise<EventLogRecord | null> {
    const [latest] = await this.storage.getEventRecords({
      eventType: "ASSET_MATERIALIZATION",
      assetKey: AssetKey.from(assetKey).toString(),
      limit: 1,
    });
    return latest ?? null;
  }

  /** A run's event log, in storage order. */
  async getRunEvents(runId: string, options: { afterStorageId?: number; limit?: number } = {}): Promise<EventLogRecord[]> {
    checkLimit(options.limit, "getRunEvents");
    return this.storage.getRunEvents(runId, options);
  }

  /** The stored state of a sensor (status, cursor, last tick), or null if nothing was stored yet. */
  async getSensorState(name: string): Promise<SensorState | null> {
    const stored = await this.storage.getSensorState(name);
    return stored === null ? null : publicSensorState(stored);
  }

  /** A sensor's ticks, newest first. */
  async getTicks(sensorName: string, options: { limit?: number; statuses?: readonly TickStatus[] } = {}): Promise<Tick[]> {
    checkLimit(options.limit, "getTicks");
    return this.storage.getTicks(sensorName, options);
  }

  /** Stores a user start: the sensor runs from now on, whatever its default status in code. */
  async startSensor(name: string): Promise<SensorState> {
    return publicSensorState(await this.storage.upsertSensorState({ name, status: SensorStatus.RUNNING, statusSource: "user" }));
  }

  /** Stores a user stop: the sensor no longer runs, whatever its default status in code. */
  async stopSensor(name: string): Promise<SensorState> {
    return publicSensorState(await this.storage.upsertSensorState({ name, status: SensorStatus.STOPPED, statusSource: "user" }));
  }

  /**
   * Sets (or, with null, clears) a sensor's stored cursor without changing whether it runs. With no
   * stored state yet, stores `defaultStatus` (what the code says; STOPPED if unknown) with source
   * `"default"`, so the state keeps following the code.
   */
  async setCursor(name: string, cursor: string | null, options: { defaultStatus?: SensorStatus } = {}): Promise<SensorState> {
    if (cursor !== null && typeof cursor !== "string") {
      throw new InvalidArgumentError(`The cursor of sensor "${name}" must be a string or null; got ${typeof cursor}.`);
    }
    const existing = await this.storage.getSensorState(name);
    if (existing !== null) return publicSensorState(await this.storage.upsertSensorState({ name, cursor }));
    return publicSensorState(
      await this.storage.upsertSensorState({ name, cursor, status: options.defaultStatus ?? SensorStatus.STOPPED, statusSource: "default" }),
    );
  }

  /**
   * @internal The launcher `vigil.yaml` selects (`runLauncher`), for a definitions module file; a
   * definitions object always gets the in-process launcher.
   */
  createRunLauncher(target: LaunchTarget): Promise<RunLauncher> {
    return createRunLauncher(this.storage, this.config, this.#dataDir, this.runHeartbeat(), target);
  }

  /** @internal The coordinator that claims QUEUED runs as `claimedBy` and hands them to `launcher` under the configured limits. */
  createRunCoordinator(launcher: RunLauncher, claimedBy: string): RunCoordinator {
    return createRunCoordinator(this.storage, this.config, launcher, claimedBy);
  }

  /** @internal The monitor that fails runs whose worker fell silent or died. */
  createRunMonitor(): RunMonitor {
    return createRunMonitor(this.storage, this.config);
  }

  /** Releases the storage (and deletes an ephemeral instance's files). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#heartbeat?.close();
      await this.storage.close();
    } finally {
      this.#onClose();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The SPEC §1.7 shape, without the daemon's bookkeeping fields. */
function publicSensorState(stored: StoredSensorState): SensorState {
  const { name, status, statusSource, cursor, lastTickTimestamp, lastRunKey } = stored;
  return { name, status, statusSource, cursor, lastTickTimestamp, lastRunKey };
}

/**
 * Imports only the dialect in use: a run worker process pays for SQLite or PostgreSQL, not both
 * (the `pg` driver alone costs about 0.3 s to load).
 */
async function openStorage(config: StorageConfig, queue = false): Promise<Storage> {
  if (config.kind === "sqlite") {
    const { openSqliteStorage } = await import("../storage/dialects/sqlite.js");
    return openSqliteStorage({ path: config.path, synchronous: config.synchronous });
  }
  const { openPostgresStorage } = await import("../storage/dialects/postgres.js");
  return openPostgresStorage({ url: config.url, queue });
}

function checkLimit(limit: number | undefined, method: string): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new InvalidArgumentError(`${method} got limit ${String(limit)}; give a whole number of 0 or more.`);
  }
}
