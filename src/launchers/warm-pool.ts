import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { childExecArgv, siblingEntry } from "./module-loader.js";
import { isWorkerMessage, RUN_WORKER_ENV, type LauncherToWorker, type RunWorkerPayload } from "./run-worker-payload.js";

/** Options of `new WarmPool(...)`. */
export interface WarmPoolOptions {
  /** Workers kept started and ready (0: each take spawns one). */
  size: number;
  nodePath: string;
  env: Readonly<Record<string, string>>;
  payload: RunWorkerPayload;
  /** Where each worker's output goes, as `<logDir>/worker-<id>.log` until it is given a run. */
  logDir: string;
}

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * @internal
 * One run worker process of a `WarmPool`: started ahead of need, it has opened storage and loaded
 * the definitions module by the time `ready` resolves; `handOff` gives it its one run.
 */
export class PoolWorker {
  readonly id: string = randomBytes(8).toString("hex");
  readonly child: ChildProcess;
  /** Its log file, until the launcher renames it after the run. */
  readonly logFile: string;
  /** Resolves when it is ready; rejects when it could not start or exited first. */
  readonly ready: Promise<void>;
  /** Resolves with how it ended. */
  readonly exited: Promise<WorkerExit>;
  /** The definitions module's mtime when the worker was started: a changed file makes it stale. */
  readonly definitionsMtime: number;
  #handedOff = false;
  #ready = false;
  #processId: string | null = null;

  constructor(options: WarmPoolOptions) {
    this.definitionsMtime = mtimeOf(options.payload.definitionsFile);
    mkdirSync(options.logDir, { recursive: true });
    this.logFile = join(options.logDir, `worker-${this.id}.log`);
    const log = openSync(this.logFile, "a");
    try {
      this.child = spawn(options.nodePath, [...childExecArgv(), siblingEntry(import.meta.url, "run-worker"), `--worker-id=${this.id}`], {
        stdio: ["ignore", log, log, "ipc"],
        env: { ...process.env, ...options.env, [RUN_WORKER_ENV]: JSON.stringify(options.payload) },
      });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => resolve({ code, signal }));
      this.child.once("error", () => {
        if (this.child.pid === undefined) resolve({ code: null, signal: null });
      });
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.child.once("error", reject);
      this.child.on("message", (message) => {
        if (!isWorkerMessage(message, "ready")) return;
        this.#ready = true;
        this.#processId = message.processId;
        resolve();
      });
      void this.exited.then((exit) => reject(new Error(`worker process ${this.child.pid ?? "?"} exited before it was ready (${describeExit(exit)}); see ${this.logFile}`)));
    });
    this.ready.catch(() => undefined);
    // A spawn failure without a pid leaves no log worth keeping.
    this.child.once("error", () => rmSync(this.logFile, { force: true }));
  }

  /** True once the worker said it is ready. */
  get isReady(): boolean {
    return this.#ready;
  }

  /** The id the worker registered itself under (its heartbeat), once ready. */
  get processId(): string | null {
    return this.#processId;
  }

  /** True once `handOff` was called. */
  get handedOff(): boolean {
    return this.#handedOff;
  }

  /** Gives the ready worker its run; resolves when it has taken it (and closed the channel). */
  handOff(runId: string): Promise<void> {
    this.#handedOff = true;
    this.child.ref();
    this.child.channel?.ref();
    return new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown): void => {
        if (isWorkerMessage(message, "started") && message.runId === runId) resolve();
      };
      this.child.on("message", onMessage);
      void this.exited.then((exit) => reject(new Error(`worker process ${this.child.pid ?? "?"} exited before it took the run (${describeExit(exit)})`)));
      const message: LauncherToWorker = { type: "run", runId };
      this.child.send(message, (error) => {
        if (error !== null) reject(error);
      });
    });
  }

  /** Lets this process exit while the worker waits (an idle worker exits with it: the channel closes). */
  unref(): void {
    this.child.unref();
    this.child.channel?.unref();
  }
}

/**
 * @internal
 * Run worker processes started ahead of need, so that a launch only hands a run id to a process
 * that has already loaded Vigil, opened storage and loaded the definitions module. Each worker
 * still executes exactly one run. A worker that dies while idle is replaced (unless workers keep
 * dying before any run, so a broken setup does not spawn forever); a changed definitions file
 * retires the workers that loaded the old one.
 */
export class WarmPool {
  readonly #options: WarmPoolOptions;
  readonly #idle: PoolWorker[] = [];
  #closed = false;
  /** Idle workers that died in a row without a hand-off in between. */
  #idleDeaths = 0;

  constructor(options: WarmPoolOptions) {
    this.#options = options;
  }

  /** Starts workers until `size` are starting or ready. */
  fill(): void {
    while (!this.#closed && this.#idle.length < this.#options.size && this.#idleDeaths < 3) this.#add();
  }

  /**
   * A worker for one run: the oldest ready one, else the oldest still starting, else a new one.
   * Resolves when it is ready; rejects when it could not start. Tops the pool up behind it.
   */
  async take(): Promise<PoolWorker> {
    this.#dropStale();
    const worker = this.#idle.find((w) => w.isReady) ?? this.#idle[0] ?? this.#add();
    const index = this.#idle.indexOf(worker);
    if (index !== -1) this.#idle.splice(index, 1);
    worker.child.ref();
    worker.child.channel?.ref();
    try {
      await worker.ready;
      this.#idleDeaths = 0;
    } finally {
      this.fill();
    }
    return worker;
  }

  /** Stops the idle workers; no more are started. */
  close(): void {
    this.#closed = true;
    for (const worker of this.#idle.splice(0)) stop(worker);
  }

  #add(): PoolWorker {
    const worker = new PoolWorker(this.#options);
    this.#idle.push(worker);
    worker.unref();
    void worker.exited.then(() => {
      const index = this.#idle.indexOf(worker);
      if (index === -1 || worker.handedOff) return;
      this.#idle.splice(index, 1);
      this.#idleDeaths += 1;
      this.fill();
    });
    return worker;
  }

  /** Retires workers that loaded an older version of the definitions file. */
  #dropStale(): void {
    const now = mtimeOf(this.#options.payload.definitionsFile);
    for (const worker of [...this.#idle]) {
      if (worker.definitionsMtime === now) continue;
      this.#idle.splice(this.#idle.indexOf(worker), 1);
      stop(worker);
    }
  }
}

function stop(worker: PoolWorker): void {
  worker.child.kill("SIGTERM");
  void worker.exited.then(() => rmSync(worker.logFile, { force: true }));
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** "exit code 3" or "signal SIGKILL". */
export function describeExit(exit: WorkerExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
}
