import { randomUUID } from "node:crypto";
import type { Definitions } from "../definitions/definitions.js";
import type { SensorDefinition } from "../definitions/sensor-definition.js";
import { toError } from "../errors/index.js";
import type { Instance } from "../instance/instance.js";
import type { RunLauncher } from "../launchers/run-launcher.js";
import type { StoredSensorState } from "../model/index.js";
import { SystemClock, type Clock } from "./clock.js";
import { InThreadEvaluator, type SensorEvaluator } from "./evaluate-sensor.js";
import { DaemonRuns } from "./daemon-runs.js";
import { DefinitionsSource } from "./definitions-source.js";
import { runTick, type DaemonLogger, type TickEnvironment } from "./run-tick.js";
import { resolveSensorStatuses } from "./sensor-status.js";
import { WorkerEvaluator } from "./worker-evaluator.js";
import { watches } from "./wakeups.js";
import type { EventsStoredNotice } from "../storage/storage.js";

/** Options of `new Daemon(...)`. */
export interface DaemonOptions {
  /** Where states, ticks and runs are stored. `close()` leaves it open. */
  instance: Instance;
  /**
   * A `Definitions` object (evaluated in the daemon's thread; the timeout bounds only asynchronous
   * waits), or the path of a module exporting one as default or `defs` (evaluated in worker
   * threads that load it, so a stuck sensor is killed at its timeout). A module is loaded again
   * when its file changes (see `reloadDefinitions()`).
   */
  definitions: Definitions | string;
  /** Tick times, intervals and purging read it. @defaultValue `new SystemClock()` */
  clock?: Clock;
  /** How long `start()` sleeps between iterations. @defaultValue 1000 */
  loopIntervalMs?: number;
  /**
   * Event-driven wakeups under `start()`: when events are stored (`storage.onEventsStored`: on
   * PostgreSQL LISTEN/NOTIFY, elsewhere a poll of the newest storage id every `wakePollMs`), only
   * the sensors watching them are evaluated at once — asset and multi-asset sensors by asset key,
   * run status sensors by status event type — still no more often than their minimum interval
   * (one that is not due yet is evaluated when it is). 0 disables wakeups. @defaultValue 100
   */
  wakePollMs?: number;
  /**
   * Where the daemon's run coordinator launches runs; `close()` closes it. @defaultValue the
   * instance's (`instance.createRunLauncher`): in-process for a definitions object; for a module
   * path, `runLauncher` of vigil.yaml (subprocess for `Instance.open`, in-process for ephemeral)
   */
  launcher?: RunLauncher;
  /**
   * Whether the daemon's run coordinator launches `QUEUED` runs (after each tick's commit and at
   * every iteration). `false` leaves them `QUEUED` for another coordinator. @defaultValue true
   */
  launchRuns?: boolean;
  /**
   * Where the daemon reports what it could not record, and every line its sensors log
   * (`context.log`, with time, level, sensor name and tick id; the third argument has them as data).
   * @defaultValue warnings, errors and sensor lines to stderr
   */
  log?: DaemonLogger;
}

const PURGE_EVERY_MS = 60_000;

/** Warnings, errors and sensors' log lines to stderr; the daemon's own info messages are dropped. */
const defaultLog: DaemonLogger = (level, message, sensorLine) => {
  if (level !== "info" || sensorLine !== undefined) process.stderr.write(`[vigil daemon] ${message}\n`);
};

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
  /** Identifies this daemon. */
  readonly id: string = randomUUID();
  readonly #instance: Instance;
  readonly #clock: Clock;
  readonly #source: DefinitionsSource;
  readonly #runs: DaemonRuns;
  readonly #loopIntervalMs: number;
  readonly #wakePollMs: number;
  #unsubscribe: (() => void) | null = null;
  /** The definitions of the latest iteration: event wakeups pick their sensors from them. */
  #definitions: Definitions | null = null;
  /** Watching sensors woken while their previous tick was in flight: looked at again when it ends. */
  readonly #pending = new Set<string>();
  /** Woken sensors not due yet: a timer per sensor, for when their minimum interval has passed. */
  readonly #deferred = new Map<string, NodeJS.Timeout>();
  readonly #wakeups = new Set<Promise<void>>();
  readonly #log: DaemonLogger;
  readonly #launchRuns: boolean;
  #evaluator: SensorEvaluator | null = null;
  /** The definitions version the evaluator and launcher were built for. */
  #builtVersion = -1;
  #closed = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  readonly #inFlight = new Map<string, Promise<void>>();
  /**
   * Clock time each sensor's latest tick started, in this process: guards against a state read just
   * before a tick of this daemon ended. The stored `lastTickStartTimestamp` is what spaces ticks.
   */
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
    this.#log = options.log ?? defaultLog;
    this.#launchRuns = options.launchRuns ?? true;
    this.#source = new DefinitionsSource(options.definitions, this.#log);
    this.#runs = new DaemonRuns(this.#instance, options.launcher, this.#log);
  }

  /**
   * Loads the definitions module again now (it is also reloaded at an iteration when its file's
   * modification time changed). Resolves true when the new version is in use from the next
   * iteration on; false when it failed to load: the error is logged and the last good version stays.
   * With a definitions object, resolves false.
   */
  reloadDefinitions(): Promise<boolean> {
    return this.#source.reload();
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
    if (this.#wakePollMs > 0) {
      this.#unsubscribe = this.#instance.storage.onEventsStored?.((notice) => this.#onEvents(notice), { pollMs: this.#wakePollMs }) ?? null;
    }
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

  /** Sleeps until the next iteration (or `close()`). */
  async #sleep(): Promise<void> {
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      timer = setTimeout(wake, this.#loopIntervalMs);
      this.#wake = wake;
    });
  }

  /** Events were stored: evaluates at once the sensors watching them (event-driven wakeups). */
  #onEvents(notice: EventsStoredNotice): void {
    const sensors = (this.#definitions?.sensors ?? []) as unknown as readonly SensorDefinition[];
    const names = new Set(sensors.filter((s) => watches(s, notice)).map((s) => s.name));
    if (names.size > 0) this.#wakeUp(names);
  }

  /** Runs a targeted iteration over `names`; errors are logged. */
  #wakeUp(names: ReadonlySet<string>): void {
    if (this.#closed) return;
    const done = this.#iterate(names)
      .then((started) => Promise.all(started))
      .then(
        () => undefined,
        (error: unknown) => this.#log("error", toError(error).message),
      );
    this.#wakeups.add(done);
    void done.finally(() => this.#wakeups.delete(done));
  }

  /** Stops the loop, waits for ticks in flight and launched in-process runs, stops workers. The instance stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    this.#unsubscribe?.();
    for (const timer of this.#deferred.values()) clearTimeout(timer);
    this.#deferred.clear();
    await this.#loop;
    await Promise.allSettled([...this.#wakeups]);
    await Promise.allSettled([...this.#inFlight.values()]);
    await this.#evaluator?.close();
    await this.#runs.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Starts the ticks due now; returns their promises. With `only` (an event wakeup), looks at those
   * sensors alone, without reloading definitions or launching queued runs.
   */
  async #iterate(only?: ReadonlySet<string>): Promise<Promise<void>[]> {
    if (this.#closed) return [];
    if (only !== undefined) {
      const sensors = (this.#definitions?.sensors ?? []) as unknown as readonly SensorDefinition[];
      return this.#startDue(sensors.filter((s) => only.has(s.name)), true);
    }
    const definitions = await this.#source.get();
    await this.#build(definitions);
    this.#definitions = definitions;
    // Runs whose worker died are failed; QUEUED runs (a crash after a commit, a coordinator limit
    // that freed up, runs queued by hand) are launched.
    await this.#runs.check();
    if (this.#launchRuns) await this.#runs.dequeue().catch((error: unknown) => this.#log("error", `The daemon could not launch queued runs (${toError(error).message}); it will try again.`));
    return this.#startDue(definitions.sensors as unknown as readonly SensorDefinition[], false);
  }

  /**
   * Starts a tick for each running, due sensor of `sensors`. For an event wakeup (`woken`), a sensor
   * in flight is looked at again when its tick ends, and one not due yet when it is.
   */
  async #startDue(sensors: readonly SensorDefinition[], woken: boolean): Promise<Promise<void>[]> {
    const states = await resolveSensorStatuses(this.#instance.storage, sensors);
    const now = this.#clock.now();
    const started: Promise<void>[] = [];
    for (const sensor of sensors) {
      const state = states.get(sensor.name) ?? null;
      if (state === null || state.status !== "RUNNING") continue;
      if (this.#inFlight.has(sensor.name)) {
        if (woken) this.#pending.add(sensor.name);
        continue;
      }
      const wait = this.#waitMs(sensor, state, now);
      if (wait > 0) {
        if (woken) this.#defer(sensor.name, wait);
        continue;
      }
      started.push(this.#tick(sensor, state, now));
    }
    return started;
  }

  /** Wakes `name` again in `ms` (once: a timer already set stays). */
  #defer(name: string, ms: number): void {
    if (this.#deferred.has(name) || this.#closed) return;
    const timer = setTimeout(() => {
      this.#deferred.delete(name);
      this.#wakeUp(new Set([name]));
    }, ms);
    timer.unref();
    this.#deferred.set(name, timer);
  }

  /** (Re)builds the evaluator and the launcher for the current definitions version. */
  async #build(definitions: Definitions): Promise<void> {
    const version = this.#source.version;
    if (version === this.#builtVersion) return;
    const reloaded = this.#builtVersion !== -1;
    this.#builtVersion = version;
    const old = this.#evaluator;
    // Evaluations in flight finish on the old workers; the next ones load the new code.
    if (old !== null) void Promise.allSettled([...this.#inFlight.values()]).then(() => old.close());
    this.#evaluator =
      this.#source.modulePath === null
        ? new InThreadEvaluator(definitions, this.#instance)
        : new WorkerEvaluator({ modulePath: this.#source.modulePath, instance: this.#instance, size: this.#instance.config.sensors.workers, log: this.#log });
    await this.#runs.prepare(definitions, this.#source.modulePath, reloaded);
  }

  /**
   * How long until due (0: due now): when `minimumIntervalSeconds` passed since the start of its previous tick, as stored
   * (`lastTickStartTimestamp`, written with the `STARTED` tick), so a restarted or second daemon
   * keeps the spacing. Exception: on this daemon's first look at a sensor, a started tick that never
   * ended (start after the last ended tick's) was interrupted and is not counted: it is closed and
   * the sensor evaluated again at once from its stored cursor.
   */
  #waitMs(sensor: SensorDefinition, state: StoredSensorState, now: number): number {
    const ended = state.lastTickTimestamp ?? -Infinity;
    const begun = state.lastTickStartTimestamp ?? -Infinity;
    const stored = !this.#checked.has(sensor.name) && begun > ended ? ended : Math.max(ended, begun);
    const last = Math.max(stored, this.#lastStart.get(sensor.name) ?? -Infinity);
    return last === -Infinity ? 0 : Math.max(0, last + sensor.minimumIntervalSeconds * 1000 - now);
  }

  #tick(sensor: SensorDefinition, state: StoredSensorState, now: number): Promise<void> {
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
    const tracked = done.finally(() => {
      this.#inFlight.delete(name);
      if (this.#pending.delete(name)) this.#wakeUp(new Set([name]));
    });
    this.#inFlight.set(name, tracked);
    return tracked;
  }

  #environment(): TickEnvironment {
    const evaluator = this.#evaluator;
    if (evaluator === null) throw new Error("The daemon's sensor evaluator is not built yet.");
    return {
      storage: this.#instance.storage,
      clock: this.#clock,
      evaluator,
      launch: () => (this.#launchRuns ? this.#runs.dequeue() : Promise.resolve()),
      retention: this.#instance.config.retention.sensor.purgeAfterDays,
      log: this.#log,
    };
  }
}
