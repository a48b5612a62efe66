import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Instance } from "../instance/instance.js";
import { failed, timedOut, type EvaluationOutcome, type EvaluationRequest, type SensorEvaluator, type SensorLogSink } from "./evaluate-sensor.js";
import { runningFromSource } from "../launchers/module-loader.js";
import type { DaemonLogger } from "./run-tick.js";
import type { SensorWorkerData, SensorWorkerReady, SensorWorkerReply } from "./sensor-worker.js";

/** Options of `new WorkerEvaluator(...)`. */
export interface WorkerEvaluatorOptions {
  modulePath: string;
  instance: Instance;
  /** Worker threads at most (`sensors.workers`). */
  size: number;
  log: DaemonLogger;
  /** Sensors see the instance read-only (previews). @defaultValue false */
  readOnly?: boolean;
  /**
   * How long a fresh worker may take to load the definitions module before its evaluation fails;
   * the evaluation's own timeout starts only once it is loaded. @defaultValue 60_000
   */
  loadTimeoutMs?: number;
}

// A worker's entry must be JavaScript on Node 20 (loader hooks are not active for a `.ts` entry):
// this shim registers tsx's ESM and CommonJS hooks (a `.ts` definitions module may be either, as
// its package.json says), marks them registered, then imports the real entry, `.ts` from source or
// `.js` from dist/.
const SHIM = `
const { workerData } = require("node:worker_threads");
Promise.all([import(workerData.tsxApi), import(workerData.tsxCjsApi)])
  .then(([esm, cjs]) => { esm.register(); cjs.register(); globalThis[Symbol.for("vigil.tsxRegistered")] = true; return import(workerData.entry); });
`;

const require = createRequire(import.meta.url);
const TSX_API = pathToFileURL(require.resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
const TSX_CJS_API = pathToFileURL(require.resolve("tsx/cjs/api").replace(/\.cjs$/, ".mjs")).href;
const ENTRY = new URL(`./sensor-worker.${runningFromSource ? "ts" : "js"}`, import.meta.url).href;

/**
 * Evaluates sensors in a pool of worker threads, each of which loads the definitions module. A
 * sensor that runs past its timeout has its thread terminated (a synchronous loop too) and
 * replaced; the other sensors' evaluations go on in the other threads.
 */
export class WorkerEvaluator implements SensorEvaluator {
  readonly #options: WorkerEvaluatorOptions;
  readonly #idle: Worker[] = [];
  readonly #all = new Set<Worker>();
  readonly #waiting: ((worker: Worker) => void)[] = [];
  /** Resolves true once a worker has loaded the module (or failed to: its evaluations report it); false if it exited first. */
  readonly #loaded = new WeakMap<Worker, Promise<boolean>>();
  #nextId = 0;
  #closed = false;

  constructor(options: WorkerEvaluatorOptions) {
    this.#options = options;
  }

  async evaluate(request: EvaluationRequest, onLog?: SensorLogSink): Promise<EvaluationOutcome> {
    const worker = await this.#acquire();
    // The timeout counts the sensor's own work: a cold worker loading the module must not eat it.
    const loadMs = this.#options.loadTimeoutMs ?? 60_000;
    let loadTimer: NodeJS.Timeout | undefined;
    const loaded = await Promise.race([
      this.#loaded.get(worker) ?? Promise.resolve(true),
      new Promise<false>((resolve) => (loadTimer = setTimeout(() => resolve(false), loadMs))),
    ]);
    clearTimeout(loadTimer);
    if (!loaded) {
      this.#discard(worker);
      return failed(new Error(`Sensor "${request.sensorName}" was not evaluated: its worker thread could not load ${this.#options.modulePath} within ${Math.round(loadMs / 1000)} s (or stopped while loading it).`));
    }
    const id = ++this.#nextId;
    return new Promise<EvaluationOutcome>((resolve) => {
      const finish = (outcome: EvaluationOutcome, keep: boolean) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (keep) this.#release(worker);
        else this.#discard(worker);
        resolve(outcome);
      };
      const onMessage = (reply: SensorWorkerReply | SensorWorkerReady) => {
        if (!("id" in reply) || reply.id !== id) return;
        if ("log" in reply) onLog?.(reply.log);
        else finish(reply.outcome, true);
      };
      const onError = (error: Error) => finish(failed(new Error(`Sensor "${request.sensorName}" crashed its worker thread: ${error.message}`, { cause: error })), false);
      const onExit = (code: number) => finish(failed(new Error(`Sensor "${request.sensorName}"'s worker thread exited with code ${code} during the evaluation.`)), false);
      const timer = setTimeout(
        () => finish(timedOut(request.sensorName, request.timeoutMs, "was killed (its worker thread was stopped and replaced)"), false),
        request.timeoutMs,
      );
      worker.on("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.postMessage({ id, request });
    });
  }

  /**
   * Starts every worker thread now and resolves once each has loaded the definitions module (or
   * failed to, or `maxWaitMs` passed): a daemon that takes sensors over ticks them at once, not
   * after a cold start.
   */
  async warm(maxWaitMs = 60_000): Promise<void> {
    const fresh: Worker[] = [];
    while (!this.#closed && this.#all.size < this.#options.size) {
      const worker = this.#spawn();
      this.#idle.push(worker);
      fresh.push(worker);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    await Promise.race([Promise.all(fresh.map((w) => this.#loaded.get(w))), timeout]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const workers = [...this.#all];
    this.#all.clear();
    this.#idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  #acquire(): Promise<Worker> {
    if (this.#closed) return Promise.reject(new Error("The daemon's sensor workers are closed."));
    const idle = this.#idle.pop();
    if (idle !== undefined) return Promise.resolve(idle);
    if (this.#all.size < this.#options.size) return Promise.resolve(this.#spawn());
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(worker: Worker): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next(worker);
    else this.#idle.push(worker);
  }

  /** Terminates a worker (stuck or crashed) and gives a waiting evaluation a fresh one. */
  #discard(worker: Worker): void {
    this.#all.delete(worker);
    void worker.terminate();
    if (this.#closed) return;
    const next = this.#waiting.shift();
    if (next !== undefined) next(this.#spawn());
  }

  #spawn(): Worker {
    const { modulePath, instance } = this.#options;
    const data: SensorWorkerData & { tsxApi: string; tsxCjsApi: string; entry: string } = {
      modulePath,
      home: homeOf(instance),
      readOnly: this.#options.readOnly === true,
      tsxApi: TSX_API,
      tsxCjsApi: TSX_CJS_API,
      entry: ENTRY,
    };
    const worker = new Worker(SHIM, { eval: true, execArgv: runningFromSource ? ["--conditions=vigil-source"] : [], workerData: data });
    this.#loaded.set(
      worker,
      new Promise<boolean>((resolve) => {
        worker.on("message", (m: SensorWorkerReply | SensorWorkerReady) => {
          if ("ready" in m) resolve(true);
        });
        worker.once("exit", () => resolve(false));
      }),
    );
    // An idle worker that dies is simply dropped.
    worker.on("error", (error) => {
      if (this.#idle.includes(worker)) this.#options.log("warn", `A sensor worker thread failed while idle (${error.message}); it is replaced on demand.`);
    });
    worker.on("exit", () => {
      this.#all.delete(worker);
      const i = this.#idle.indexOf(worker);
      if (i !== -1) this.#idle.splice(i, 1);
    });
    this.#all.add(worker);
    return worker;
  }
}

/** The home a worker opens: the instance's, or, for an ephemeral instance, its SQLite file's folder. */
function homeOf(instance: Instance): string {
  if (instance.home !== null) return instance.home;
  const storage = instance.config.storage;
  return storage.kind === "sqlite" ? dirname(storage.path) : fileURLToPath(new URL(".", import.meta.url));
}
