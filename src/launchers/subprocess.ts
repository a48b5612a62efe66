import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join, resolve } from "node:path";
import { DefinitionError, InvalidArgumentError, toError } from "../errors/index.js";
import { isTerminalRunStatus, type Run } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { acquireOwnerId, releaseOwnerId, thisHost } from "./launcher-owner.js";
import { markRunFailed } from "./mark-run-failed.js";
import { childExecArgv, siblingEntry } from "./module-loader.js";
import { WorkerTag, type RunLauncher } from "./run-launcher.js";
import { RUN_WORKER_ENV, type RunWorkerPayload } from "./run-worker-payload.js";
import type { StorageOpener } from "./storage-opener.js";
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
}

/**
 * The default launcher: one worker process per run (`node run-worker <run>`), which loads the
 * definitions module with tsx, executes the run and writes its events to storage, then exits.
 * The worker's pid, host and log file are recorded on the run (`WorkerTag`). If the worker exits
 * before the run has finished, the run is marked `FAILURE` at once with a message saying so.
 *
 * @example
 * const launcher = new SubprocessLauncher({ storage, storageOpener, definitionsFile: "defs.ts", logDir: "/var/vigil/logs" });
 * await launcher.launch(run); // resolves once the worker process has started
 * @see docs/runs.md
 */
export class SubprocessLauncher implements RunLauncher, AsyncDisposable {
  readonly kind = "subprocess" as const;
  /** Recorded on every run it launches (`vigil/launcher_owner`). */
  readonly ownerId: string = acquireOwnerId();
  readonly #options: SubprocessLauncherOptions & { definitionsFile: string };
  readonly #workers = new Map<string, { child: ChildProcess; done: Promise<void> }>();
  #closed = false;

  constructor(options: SubprocessLauncherOptions) {
    this.#options = { ...options, definitionsFile: resolve(options.definitionsFile), logDir: resolve(options.logDir) };
  }

  /** Ids of the runs whose worker process is running. */
  get inFlightRunIds(): string[] {
    return [...this.#workers.keys()];
  }

  async launch(run: Run): Promise<void> {
    if (this.#closed) throw new InvalidArgumentError(`The subprocess launcher is closed, so it cannot launch run "${run.runId}"; launch it with an open launcher.`);
    const { definitionsFile, logDir, storageOpener } = this.#options;
    if (!existsSync(definitionsFile)) {
      throw new DefinitionError(`Definitions module "${definitionsFile}" does not exist; the subprocess launcher needs it to run job "${run.jobName}".`);
    }
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, `${run.runId}.log`);
    const child = this.#spawn(run, { runId: run.runId, definitionsFile, storage: storageOpener }, logFile);
    try {
      await new Promise<void>((started, failed) => {
        child.once("spawn", started);
        child.once("error", failed);
      });
    } catch (error) {
      throw new Error(`Could not start a worker process for run "${run.runId}" with ${this.#options.nodePath ?? process.execPath}: ${toError(error).message}.`, { cause: error });
    }
    const pid = child.pid ?? 0;
    const done = new Promise<void>((resolveDone) => {
      child.once("exit", (code, signal) => {
        recordWorkerExit(pid, { runId: run.runId, code, signal });
        void this.#onExit(run, pid, code, signal).finally(() => {
          this.#workers.delete(run.runId);
          resolveDone();
        });
      });
    });
    this.#workers.set(run.runId, { child, done });
    try {
      await this.#options.storage.addRunTags(run.runId, {
        [WorkerTag.LAUNCHER]: this.kind,
        [WorkerTag.LAUNCHER_OWNER]: this.ownerId,
        [WorkerTag.WORKER_HOST]: thisHost,
        [WorkerTag.WORKER_PID]: String(pid),
        [WorkerTag.WORKER_LOG]: logFile,
      });
    } catch (error) {
      // A worker nobody can find must not run: stop it, and let the caller fail the run.
      child.kill("SIGKILL");
      throw error;
    }
  }

  #spawn(run: Run, payload: RunWorkerPayload, logFile: string): ChildProcess {
    const log = openSync(logFile, "a");
    try {
      return spawn(this.#options.nodePath ?? process.execPath, [...childExecArgv(), siblingEntry(import.meta.url, "run-worker"), `--run-id=${run.runId}`], {
        stdio: ["ignore", log, log],
        env: { ...process.env, ...this.#options.env, [RUN_WORKER_ENV]: JSON.stringify(payload) },
      });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(log);
    }
  }

  /** A worker exited: if its run has not finished, the worker died; fail the run, once. */
  async #onExit(run: Run, pid: number, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    try {
      const current = await this.#options.storage.getRun(run.runId);
      if (current === null || isTerminalRunStatus(current.status)) return;
      await markRunFailed(this.#options.storage, run, deadWorkerMessage(pid, run.runId, { code, signal }));
    } catch {
      // Storage is gone (closed or unreachable): the RunMonitor fails the run later.
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolveTimeout) => {
      timer = setTimeout(resolveTimeout, this.#options.closeTimeoutMs ?? 10_000);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.#workers.values()].map((w) => w.done)), timeout]);
    clearTimeout(timer);
    // Workers still running finish alone and write their own events; this process stops waiting.
    for (const { child } of this.#workers.values()) child.unref();
    releaseOwnerId(this.ownerId);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
