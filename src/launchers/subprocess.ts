import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";
import { DefinitionError, InvalidArgumentError, toError } from "../errors/index.js";
import { isTerminalRunStatus, RunStatus, type Run } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { thisHost } from "../execution/process-identity.js";
import { acquireOwnerId, releaseOwnerId, setOwnerTerminator } from "./launcher-owner.js";
import { markRunCanceled, markRunFailed } from "../execution/mark-run-failed.js";
import { WorkerTag, type RunLauncher } from "./run-launcher.js";
import type { StorageOpener } from "./storage-opener.js";
import { WarmPool, type PoolWorker, type WorkerExit } from "./warm-pool.js";
import { deadWorkerMessage, recordWorkerExit } from "./worker-probe.js";

/** Options of `new SubprocessLauncher(...)`. */
export interface SubprocessLauncherOptions {
  /** The launcher's own storage: it tags runs with their worker and fails runs whose worker died. */
  storage: Storage;
  /** How a worker process opens the same storage. */
  storageOpener: StorageOpener;
  /** The definitions module each worker loads (`.ts` or `.js`). */
  definitionsFile: string;
  /** Where each worker's stdout and stderr go, as `<logDir>/<runId>.log`. */
  logDir: string;
  /** The `node` executable. @defaultValue process.execPath */
  nodePath?: string;
  /** Extra environment variables for workers (over this process's). */
  env?: Readonly<Record<string, string>>;
  /** How long `close()` waits for running workers before leaving them to finish alone. @defaultValue 10_000 */
  closeTimeoutMs?: number;
  /**
   * Worker processes kept started and ready (Vigil imported, storage open, definitions loaded), so
   * a launch only hands over a run id; 0 starts each worker on demand. @defaultValue 2
   */
  warmWorkers?: number;
  /** After `terminate`'s SIGTERM, how long a worker has to stop before SIGKILL. @defaultValue 10_000 */
  terminateGraceMs?: number;
  /** How often workers heartbeat, and how long a beat keeps them registered (the heartbeat timeout). */
  heartbeat: { intervalMs: number; ttlMs: number };
}

interface BusyWorker {
  worker: PoolWorker;
  done: Promise<void>;
  killTimer?: NodeJS.Timeout;
}

/**
 * The default launcher: one worker process per run, which executes that one run, writes its events
 * to storage and exits. Workers are started ahead of need (`warmWorkers`, a warm pool): each has
 * loaded the definitions module (with tsx) and opened storage before it is given a run over IPC,
 * and a replacement starts behind it. The worker's pid, id, host and log file are recorded on the
 * run (`WorkerTag`). If the worker exits before the run has finished, the run is marked `FAILURE`
 * at once with a message saying so (`CANCELED` if it was being canceled). `terminate(runId)`
 * cancels a run: SIGTERM (no further op starts), then SIGKILL after `terminateGraceMs`.
 *
 * @example
 * const launcher = new SubprocessLauncher({ storage, storageOpener, definitionsFile: "defs.ts", logDir: "/var/vigil/logs" });
 * await launcher.launch(run); // resolves once a worker process has taken the run
 * @see docs/runs.md
 */
export class SubprocessLauncher implements RunLauncher, AsyncDisposable {
  readonly kind = "subprocess" as const;
  /** Recorded on every run it launches (`vigil/launcher_owner`). */
  readonly ownerId: string = acquireOwnerId();
  readonly #options: SubprocessLauncherOptions & { definitionsFile: string };
  readonly #workers = new Map<string, BusyWorker>();
  readonly #pool: WarmPool;
  #closed = false;

  constructor(options: SubprocessLauncherOptions) {
    this.#options = { ...options, definitionsFile: resolve(options.definitionsFile), logDir: resolve(options.logDir) };
    this.#pool = new WarmPool({
      size: Math.max(0, options.warmWorkers ?? 2),
      nodePath: options.nodePath ?? process.execPath,
      env: options.env ?? {},
      payload: { definitionsFile: this.#options.definitionsFile, storage: options.storageOpener, heartbeat: options.heartbeat },
      logDir: this.#options.logDir,
    });
    setOwnerTerminator(this.ownerId, (runId) => this.terminate(runId));
    if (existsSync(this.#options.definitionsFile)) this.#pool.fill();
  }

  /** Ids of the runs whose worker process is running. */
  get inFlightRunIds(): string[] {
    return [...this.#workers.keys()];
  }

  async launch(run: Run): Promise<void> {
    if (this.#closed) throw new InvalidArgumentError(`The subprocess launcher is closed, so it cannot launch run "${run.runId}"; launch it with an open launcher.`);
    const { definitionsFile, logDir } = this.#options;
    if (!existsSync(definitionsFile)) {
      throw new DefinitionError(`Definitions module "${definitionsFile}" does not exist; the subprocess launcher needs it to run job "${run.jobName}".`);
    }
    mkdirSync(logDir, { recursive: true });
    let worker: PoolWorker;
    try {
      worker = await this.#pool.take();
    } catch (error) {
      throw new Error(`Could not start a worker process for run "${run.runId}" with ${this.#options.nodePath ?? process.execPath}: ${toError(error).message}.`, { cause: error });
    }
    const logFile = this.#claimLog(worker, run.runId);
    const pid = worker.child.pid ?? 0;
    try {
      // Before the hand-off: from here on the run is judged by this worker's heartbeats.
      await this.#options.storage.assignRunWorker(run.runId, worker.processId ?? `${thisHost}/${pid}/${worker.id}`, {
        [WorkerTag.LAUNCHER]: this.kind,
        [WorkerTag.LAUNCHER_OWNER]: this.ownerId,
        [WorkerTag.WORKER_HOST]: thisHost,
        [WorkerTag.WORKER_PID]: String(pid),
        [WorkerTag.WORKER_ID]: worker.processId ?? worker.id,
        [WorkerTag.WORKER_LOG]: logFile,
      });
    } catch (error) {
      // A worker nobody can find must not run: stop it, and let the caller fail the run.
      worker.child.kill("SIGKILL");
      throw error;
    }
    try {
      await worker.handOff(run.runId);
    } catch (error) {
      worker.child.kill("SIGKILL");
      throw new Error(`Could not hand run "${run.runId}" to worker process ${worker.child.pid ?? "?"}: ${toError(error).message}.`, { cause: error });
    }
    const busy: BusyWorker = {
      worker,
      done: worker.exited.then(async (exit) => {
        clearTimeout(busy.killTimer);
        recordWorkerExit(pid, { runId: run.runId, ...exit });
        await this.#onExit(run, pid, exit);
        this.#workers.delete(run.runId);
      }),
    };
    this.#workers.set(run.runId, busy);
  }

  /**
   * Cancels a run this launcher's worker executes: SIGTERM (the worker starts no further op and
   * ends the run `CANCELED`), then SIGKILL after `terminateGraceMs` (the run is then marked
   * `CANCELED` here). Resolves with false when no worker of this launcher runs it.
   */
  async terminate(runId: string): Promise<boolean> {
    const busy = this.#workers.get(runId);
    if (busy === undefined) return false;
    if (busy.killTimer !== undefined) return true;
    busy.worker.child.kill("SIGTERM");
    busy.killTimer = setTimeout(() => busy.worker.child.kill("SIGKILL"), this.#options.terminateGraceMs ?? 10_000);
    busy.killTimer.unref();
    return true;
  }

  /** Renames the worker's log to `<runId>.log` (an open file keeps its descriptors); returns its path. */
  #claimLog(worker: PoolWorker, runId: string): string {
    const logFile = join(this.#options.logDir, `${runId}.log`);
    try {
      renameSync(worker.logFile, logFile);
      return logFile;
    } catch {
      return worker.logFile;
    }
  }

  /** A worker exited: if its run has not finished, the worker died (or was stopped by a cancel); end the run, once. */
  async #onExit(run: Run, pid: number, exit: WorkerExit): Promise<void> {
    try {
      const current = await this.#options.storage.getRun(run.runId);
      if (current === null || isTerminalRunStatus(current.status)) return;
      if (current.status === RunStatus.CANCELING) {
        await markRunCanceled(this.#options.storage, run, canceledWorkerMessage(pid, run.runId, exit));
        return;
      }
      await markRunFailed(this.#options.storage, run, deadWorkerMessage(pid, run.runId, exit));
    } catch {
      // Storage is gone (closed or unreachable): the RunMonitor ends the run later.
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pool.close();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolveTimeout) => {
      timer = setTimeout(resolveTimeout, this.#options.closeTimeoutMs ?? 10_000);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.#workers.values()].map((w) => w.done)), timeout]);
    clearTimeout(timer);
    // Workers still running finish alone and write their own events; this process stops waiting.
    for (const { worker } of this.#workers.values()) worker.child.unref();
    releaseOwnerId(this.ownerId);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The message written on a canceled run whose worker process ended before the run did. */
export function canceledWorkerMessage(pid: number, runId: string, exit: WorkerExit | null): string {
  const how = exit === null ? "it is no longer running" : exit.signal !== null ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
  return `Run "${runId}" was canceled: its worker process ${pid} stopped (${how}) before the run finished.`;
}
