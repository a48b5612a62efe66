import type { Definitions } from "../definitions/definitions.js";
import { toError } from "../errors/index.js";
import { executeRun } from "../execution/index.js";
import { markRunCanceled, markRunFailed } from "../execution/mark-run-failed.js";
import { newProcessId, registrationOf, thisHost } from "../execution/process-identity.js";
import { RunHeartbeat } from "../execution/run-heartbeat.js";
import { isTerminalRunStatus, ProcessKind, RunStatus, WorkerTag, type Run } from "../model/index.js";
import { queueTaskFor } from "../storage/queue-schema.js";
import type { Storage } from "../storage/storage.js";
import { loadDefinitionsModule } from "./definitions-module.js";

/** Options of `QueueWorker.start`. */
export interface QueueWorkerOptions {
  /** Vigil's storage: runs, events, heartbeats. */
  storage: Storage;
  /** The PostgreSQL database of the work queue (the instance's), for graphile-worker's own connections. */
  connectionString: string;
  /** graphile-worker's schema (`queueSchemaFor`). */
  queueSchema: string;
  /** The definitions module to load (once, at start). */
  definitionsFile: string;
  /** Runs executed at once. */
  concurrency: number;
  /** The work queues to take runs from. @defaultValue ["default"] */
  queues?: readonly string[];
  /** How often the worker heartbeats, and how long one beat keeps it (and its runs) alive. */
  heartbeat: { intervalMs: number; ttlMs: number };
  /** On `stop()`, how long runs in flight may go on before they are failed. */
  shutdownGraceMs: number;
  /** After a cancel, how long a run's ops may go on before the run ends CANCELED without them. */
  cancelGraceMs: number;
  log: (level: "info" | "warn" | "error", message: string) => void;
}

type GraphileRunner = Awaited<ReturnType<(typeof import("graphile-worker"))["run"]>>;

/**
 * `vigil worker`: takes runs from the work queue (graphile-worker, in the instance's PostgreSQL)
 * and executes them, `concurrency` at once, heartbeating each (so a run whose worker dies anywhere
 * is failed by the run monitor) and writing its events. The definitions module is loaded once; if
 * it fails to load, every run taken fails with the load error and the worker goes on. A run found
 * canceled or ended when taken is left as it is. `stop()` takes no new run, lets runs in flight
 * finish for `shutdownGraceMs`, then fails those still running ("the worker stopped").
 *
 * @example
 * const worker = await QueueWorker.start({ storage, connectionString, queueSchema, definitionsFile: "defs.ts", concurrency: 4, heartbeat, shutdownGraceMs: 30_000, log });
 * await worker.stop();
 * @see docs/deploy.md
 */
export class QueueWorker {
  readonly #options: QueueWorkerOptions;
  readonly #heartbeat: RunHeartbeat;
  readonly #definitions: Promise<{ definitions: Definitions } | { error: Error }>;
  #runner: GraphileRunner | null = null;
  #pool: { end(): Promise<void> } | null = null;
  #stopping: Promise<void> | null = null;

  private constructor(options: QueueWorkerOptions) {
    this.#options = options;
    const queues = [...(options.queues ?? ["default"])];
    this.#heartbeat = new RunHeartbeat({
      storage: options.storage,
      process: registrationOf(newProcessId(), ProcessKind.WORKER, { launcher: "queue", concurrency: options.concurrency, queues, definitionsFile: options.definitionsFile }),
      ...options.heartbeat,
    });
    this.#definitions = loadDefinitionsModule(options.definitionsFile).then(
      (definitions) => ({ definitions }),
      (error: unknown) => ({ error: toError(error) }),
    );
  }

  /** Registers the worker, loads the definitions and starts taking runs. */
  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    const worker = new QueueWorker(options);
    await worker.#heartbeat.register();
    const loaded = await worker.#definitions;
    if ("error" in loaded) options.log("error", `${loaded.error.message} Every run this worker takes fails with this error until the file is fixed and the worker restarted.`);
    const [{ run, Logger }, { default: pg }] = await Promise.all([import("graphile-worker"), import("pg")]);
    // graphile's connections: one per run taken at once, and one to listen for new jobs. Errors of
    // idle or active clients (a restarting database) are reported, never thrown out of the process.
    const pool = new pg.Pool({ connectionString: options.connectionString, max: options.concurrency + 2, keepAlive: true });
    pool.on("error", (error) => options.log("warn", `work queue connection: ${error.message}`));
    pool.on("connect", (client) => client.on("error", (error) => options.log("warn", `work queue connection: ${error.message}`)));
    worker.#pool = pool;
    const tasks = Object.fromEntries((options.queues ?? ["default"]).map((queue) => [queueTaskFor(queue), (payload: unknown, helpers: { abortSignal: AbortSignal }) => worker.#execute(payload, helpers.abortSignal)]));
    worker.#runner = await run({
      pgPool: pool,
      schema: options.queueSchema,
      concurrency: options.concurrency,
      noHandleSignals: true,
      taskList: tasks,
      logger: new Logger(() => (level, message) => {
        if (level === "error") options.log("error", `work queue: ${message}`);
      }),
      preset: { worker: { gracefulShutdownAbortTimeout: options.shutdownGraceMs } },
    });
    return worker;
  }

  /** The id the worker registered under (shown by `vigil status`, recorded on its runs). */
  get processId(): string {
    return this.#heartbeat.processId;
  }

  /** Resolves when the runner stops (after `stop()`, or if it fails). */
  get done(): Promise<void> {
    return this.#runner?.promise ?? Promise.resolve();
  }

  /** Takes no new run; runs in flight get the grace period, then are failed. Removes the registration. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#runner?.stop().catch((error: unknown) => this.#options.log("warn", `Stopping the work queue runner: ${toError(error).message}`));
      await this.#heartbeat.close();
      await this.#pool?.end().catch(() => undefined);
    })();
    return this.#stopping;
  }

  /** One job: the run it names, executed here. Never throws: the run's outcome is Vigil's, not the queue's. */
  async #execute(payload: unknown, shutdown: AbortSignal): Promise<void> {
    const runId = (payload as { runId?: unknown } | null)?.runId;
    if (typeof runId !== "string") return;
    const { storage } = this.#options;
    try {
      const run = await storage.getRun(runId);
      if (run === null || isTerminalRunStatus(run.status)) return;
      if (run.status === RunStatus.CANCELING) {
        await markRunCanceled(storage, run, `Run "${runId}" was canceled before worker ${this.processId} started it.`);
        return;
      }
      await storage.assignRunWorker(runId, this.processId, {
        [WorkerTag.LAUNCHER]: "queue",
        [WorkerTag.WORKER_ID]: this.processId,
        [WorkerTag.WORKER_HOST]: thisHost,
        [WorkerTag.WORKER_PID]: String(process.pid),
      });
      const loaded = await this.#definitions;
      if ("error" in loaded) {
        await markRunFailed(storage, run, `Run "${runId}" could not start: ${loaded.error.message}`, loaded.error);
        return;
      }
      await this.#executeWithShutdown(run, loaded.definitions, shutdown);
    } catch (error) {
      this.#options.log("error", `Run "${runId}": ${toError(error).message}`);
      await markRunFailed(storage, { runId, jobName: "?" }, `Run "${runId}" failed in worker ${this.processId}: ${toError(error).message}`, error).catch(() => undefined);
    }
  }

  /** Executes the run; if the worker's shutdown grace runs out first, fails it saying so and stops it. */
  async #executeWithShutdown(run: Run, definitions: Definitions, shutdown: AbortSignal): Promise<void> {
    const { storage } = this.#options;
    const stop = new AbortController();
    const onShutdown = (): void => {
      const seconds = Math.round(this.#options.shutdownGraceMs / 1000);
      void markRunFailed(storage, run, `Worker ${this.processId} stopped before run "${run.runId}" of job "${run.jobName}" finished (it was given ${seconds} s to finish); the run is marked failed.`)
        .catch(() => undefined)
        .finally(() => stop.abort());
    };
    shutdown.addEventListener("abort", onShutdown, { once: true });
    try {
      const job = definitions.getJob(run.jobName);
      await executeRun(job, run.runId, storage, {
        sharedResources: definitions.resources,
        heartbeat: this.#heartbeat,
        signal: stop.signal,
        // A worker runs many runs: it cannot be killed for one, so a canceled run stops waiting for its ops.
        abandonAfterMs: this.#options.cancelGraceMs,
      });
    } catch (error) {
      const now = await storage.getRun(run.runId).catch(() => null);
      if (now !== null && !isTerminalRunStatus(now.status)) {
        await markRunFailed(storage, run, `Run "${run.runId}" of job "${run.jobName}" failed in worker ${this.processId}: ${toError(error).message}`, error);
      }
    } finally {
      shutdown.removeEventListener("abort", onShutdown);
    }
  }
}
