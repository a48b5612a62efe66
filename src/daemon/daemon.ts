import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { Definitions } from "../definitions/definitions.js";
import type { SensorDefinition } from "../definitions/sensor-definition.js";
import { toError } from "../errors/index.js";
import type { Instance } from "../instance/instance.js";
import type { Run, SensorState } from "../model/index.js";
import { SystemClock, type Clock } from "./clock.js";
import { InThreadEvaluator, type SensorEvaluator } from "./evaluate-sensor.js";
import { DaemonInProcessLauncher, claimQueuedRun, failRun, findRunsToRecover, type DaemonRunLauncher } from "./launch-runs.js";
import { loadDefinitions } from "./load-definitions.js";
import { runTick, type DaemonLogger, type TickEnvironment } from "./run-tick.js";
import { resolveSensorStatuses } from "./sensor-status.js";
import { TickStep, crashIfRequested } from "./tick.js";
import { WorkerEvaluator } from "./worker-evaluator.js";

/** Options of `new Daemon(...)`. */
export interface DaemonOptions {
  /** Where states, ticks and runs are stored. `close()` leaves it open. */
  instance: Instance;
  /**
   * A `Definitions` object (evaluated in the daemon's thread; the timeout bounds only asynchronous
   * waits), or the path of a module exporting one as default or `defs` (evaluated in worker
   * threads that load it, so a stuck sensor is killed at its timeout).
   */
  definitions: Definitions | string;
  /** Tick times, intervals and purging read it. @defaultValue `new SystemClock()` */
  clock?: Clock;
  /** How long `start()` sleeps between iterations. @defaultValue 1000 */
  loopIntervalMs?: number;
  /**
   * While `start()` sleeps, how often it polls the newest event log storage id; a new event (a
   * materialization, a run status change) wakes it at once, so asset and run status sensors react
   * without waiting for the next iteration (their minimum interval still holds). 0 disables.
   * @defaultValue 100
   */
  wakePollMs?: number;
  /** Where created runs are launched. @defaultValue an in-process launcher on the definitions */
  launcher?: DaemonRunLauncher;
  /**
   * Whether the daemon launches the runs its ticks create. `false` leaves them `QUEUED` for a run
   * coordinator to dequeue. @defaultValue true
   */
  launchRuns?: boolean;
  /** Where the daemon reports what it could not record. @defaultValue warnings and errors to stderr */
  log?: DaemonLogger;
}

const PURGE_EVERY_MS = 60_000;

/**
 * The sensor daemon: each iteration evaluates every running sensor whose minimum interval has
 * passed since the start of its previous tick, records a tick per evaluation, commits the runs it
 * requested together with the tick's end and the cursor, and launches them.
 *
 * @example
 * const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
 * const daemon = new Daemon({ instance, definitions: defs, clock });
 * await daemon.runIteration();
 * clock.advance(30_000);
 * await daemon.runIteration();
 * await daemon.close();
 * @see docs/daemon.md
 */
export class Daemon implements AsyncDisposable {
  /** Identifies this daemon process in the runs it claims. */
  readonly id: string = randomUUID();
  readonly #instance: Instance;
  readonly #clock: Clock;
  readonly #modulePath: string | null;
  readonly #loopIntervalMs: number;
  readonly #wakePollMs: number;
  #lastStorageId = -1;
  readonly #log: DaemonLogger;
  readonly #givenLauncher: DaemonRunLauncher | undefined;
  readonly #launchRuns: boolean;
  #definitions: Definitions | null;
  #evaluator: SensorEvaluator | null = null;
  #launcher: DaemonRunLauncher | null = null;
  #recovered = false;
  #closed = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Clock time each sensor's latest tick started, in this process. */
  readonly #lastStart = new Map<string, number>();
  /** Sensors whose dangling ticks may need closing before their next tick. */
  readonly #unchecked = new Set<string>();
  readonly #checked = new Set<string>();
  readonly #lastPurge = new Map<string, number>();

  constructor(options: DaemonOptions) {
    this.#instance = options.instance;
    this.#clock = options.clock ?? new SystemClock();
    this.#loopIntervalMs = options.loopIntervalMs ?? 1000;
    this.#wakePollMs = options.wakePollMs ?? 100;
    this.#log = options.log ?? ((level, message) => (level === "info" ? undefined : console.error(`[vigil daemon] ${message}`)));
    this.#givenLauncher = options.launcher;
    this.#launchRuns = options.launchRuns ?? true;
    if (typeof options.definitions === "string") {
      this.#modulePath = resolve(options.definitions);
      this.#definitions = null;
    } else {
      this.#modulePath = null;
      this.#definitions = options.definitions;
    }
  }

  /**
   * Evaluates every running sensor due at `clock.now()` (one tick each; a sensor whose previous
   * tick is still in flight is left alone) and resolves when their ticks have ended. Never rejects
   * for a sensor's failure; rejects only if the definitions module never loaded.
   */
  async runIteration(): Promise<void> {
    const started = await this.#iterate();
    await Promise.all(started);
  }

  /** Runs iterations on the clock until `close()`; errors are logged, never thrown. */
  start(): void {
    if (this.#loop !== null || this.#closed) return;
    this.#loop = (async () => {
      while (!this.#closed) {
        try {
          await this.#iterate();
        } catch (error) {
          this.#log("error", toError(error).message);
        }
        await this.#sleep();
      }
    })();
  }

  /** Sleeps until the next iteration, or until a new event is stored (event-driven wakeups). */
  async #sleep(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const wake = () => {
        timers.forEach(clearTimeout);
        this.#wake = null;
        resolve();
      };
      this.#wake = wake;
      timers.push(setTimeout(wake, this.#loopIntervalMs));
      if (this.#wakePollMs <= 0) return;
      const poll = async () => {
        try {
          const newest = await this.#instance.storage.getMaxStorageId();
          const changed = this.#lastStorageId !== -1 && newest > this.#lastStorageId;
          this.#lastStorageId = newest;
          if (changed) return wake();
        } catch {
          // Storage unreachable: the regular iteration reports it.
        }
        if (this.#wake === wake) timers.push(setTimeout(() => void poll(), this.#wakePollMs));
      };
      void poll();
    });
  }

  /** Stops the loop, waits for ticks in flight and launched in-process runs, stops workers. The instance stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight.values()]);
    await this.#evaluator?.close();
    await this.#launcher?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Starts the ticks due now; returns their promises. */
  async #iterate(): Promise<Promise<void>[]> {
    if (this.#closed) return [];
    const definitions = await this.#load();
    const sensors = definitions.sensors as unknown as readonly SensorDefinition[];
    if (!this.#recovered && this.#launchRuns) {
      this.#recovered = true;
      await this.#recover(definitions);
    }
    const states = await resolveSensorStatuses(this.#instance.storage, sensors);
    const now = this.#clock.now();
    const started: Promise<void>[] = [];
    for (const sensor of sensors) {
      const state = states.get(sensor.name) ?? null;
      if (state === null || state.status !== "RUNNING" || this.#inFlight.has(sensor.name)) continue;
      if (!this.#isDue(sensor, state, now)) continue;
      started.push(this.#tick(sensor, state, now));
    }
    return started;
  }

  /** Due when `minimumIntervalSeconds` passed since the start of its previous tick. */
  #isDue(sensor: SensorDefinition, state: SensorState, now: number): boolean {
    const last = Math.max(state.lastTickTimestamp ?? -Infinity, this.#lastStart.get(sensor.name) ?? -Infinity);
    return last === -Infinity || now - last >= sensor.minimumIntervalSeconds * 1000;
  }

  #tick(sensor: SensorDefinition, state: SensorState, now: number): Promise<void> {
    const name = sensor.name;
    this.#lastStart.set(name, now);
    const purge = now - (this.#lastPurge.get(name) ?? -Infinity) >= PURGE_EVERY_MS;
    if (purge) this.#lastPurge.set(name, now);
    const closeDangling = !this.#checked.has(name) || this.#unchecked.has(name);
    const timeoutSeconds = sensor.options.timeoutSecondsIsDefault ? this.#instance.config.sensors.timeoutSeconds : sensor.timeoutSeconds;
    const done = runTick(this.#environment(), { sensorName: name, state, timeoutMs: timeoutSeconds * 1000, closeDangling, purge }).then((tick) => {
      this.#checked.add(name);
      // A tick that could not end cleanly may have left a STARTED row: check again next time.
      if (tick === null || tick.status === "STARTED" || tick.endTimestamp === null) this.#unchecked.add(name);
      else this.#unchecked.delete(name);
    });
    const tracked = done.finally(() => this.#inFlight.delete(name));
    this.#inFlight.set(name, tracked);
    return tracked;
  }

  #environment(): TickEnvironment {
    return {
      storage: this.#instance.storage,
      clock: this.#clock,
      evaluator: this.#requireEvaluator(),
      launch: (runs) => this.#launchAll(runs),
      retention: this.#instance.config.retention.sensor.purgeAfterDays,
      log: this.#log,
    };
  }

  /** Claims each run (QUEUED → STARTING, checked) and hands it to the launcher. */
  async #launchAll(runs: readonly Run[]): Promise<void> {
    if (!this.#launchRuns) return;
    const launcher = this.#requireLauncher();
    for (const run of runs) {
      const claimed = await claimQueuedRun(this.#instance.storage, run, this.id, launcher.kind);
      if (claimed === null) continue;
      try {
        await launcher.launch(claimed);
      } catch (error) {
        await failRun(this.#instance.storage, claimed, `Run "${run.runId}" could not be launched: ${toError(error).message}`, error);
      }
      crashIfRequested(TickStep.RUN_LAUNCHED);
    }
  }

  /** After a restart: launch the runs committed but never launched, and in-process orphans. */
  async #recover(definitions: Definitions): Promise<void> {
    try {
      const launcher = this.#requireLauncher();
      const names = new Set(definitions.sensors.map((s) => s.name));
      const { queued, orphaned, abandoned } = await findRunsToRecover(this.#instance.storage, names, this.id, launcher.kind === "in-process");
      for (const run of abandoned) {
        await failRun(this.#instance.storage, run, `Run "${run.runId}" was executing in-process in a daemon that stopped before it finished; it is marked FAILURE (launch it again if needed).`);
      }
      if (queued.length > 0) this.#log("warn", `Launching ${queued.length} queued run(s) left by an earlier daemon.`);
      await this.#launchAll(queued);
      for (const run of orphaned) {
        this.#log("warn", `Run "${run.runId}" was claimed by a daemon that stopped before starting it; launching it now.`);
        await launcher.launch(run).catch((error: unknown) => failRun(this.#instance.storage, run, `Run "${run.runId}" could not be launched: ${toError(error).message}`, error));
      }
    } catch (error) {
      this.#recovered = false;
      this.#log("error", `The daemon could not recover runs left by an earlier daemon (${toError(error).message}); it will try again.`);
    }
  }

  async #load(): Promise<Definitions> {
    if (this.#definitions !== null) return this.#definitions;
    const path = this.#modulePath ?? "";
    this.#definitions = await loadDefinitions(path);
    return this.#definitions;
  }

  #requireEvaluator(): SensorEvaluator {
    if (this.#evaluator !== null) return this.#evaluator;
    const definitions = this.#definitions;
    if (definitions === null) throw new Error("The daemon's definitions are not loaded yet.");
    this.#evaluator =
      this.#modulePath === null
        ? new InThreadEvaluator(definitions, this.#instance)
        : new WorkerEvaluator({ modulePath: this.#modulePath, instance: this.#instance, size: this.#instance.config.sensors.workers, log: this.#log });
    return this.#evaluator;
  }

  #requireLauncher(): DaemonRunLauncher {
    if (this.#launcher !== null) return this.#launcher;
    const definitions = this.#definitions;
    if (definitions === null) throw new Error("The daemon's definitions are not loaded yet.");
    this.#launcher = this.#givenLauncher ?? new DaemonInProcessLauncher(this.#instance.storage, definitions);
    return this.#launcher;
  }
}
