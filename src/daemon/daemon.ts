import type { Definitions } from "../definitions/definitions.js";
import type { SensorDefinition } from "../definitions/sensor-definition.js";
import { ErrorCode, toError, VigilError } from "../errors/index.js";
import { newProcessId } from "../execution/process-identity.js";
import type { Instance } from "../instance/instance.js";
import type { RunLauncher } from "../launchers/run-launcher.js";
import { probeProcess } from "../launchers/worker-probe.js";
import { EventType, LeaseKind, RUN_MONITOR_LEASE, type LeaseGrant, type StoredSensorState } from "../model/index.js";
import { DaemonLeases } from "./daemon-leases.js";
import { SystemClock, type Clock } from "./clock.js";
import { InThreadEvaluator, type SensorEvaluator } from "./evaluate-sensor.js";
import { DaemonRuns } from "./daemon-runs.js";
import { DefinitionsSource } from "./definitions-source.js";
import { runTick, type DaemonLogger, type TickEnvironment } from "./run-tick.js";
import { resolveSensorStatuses } from "./sensor-status.js";
import { WorkerEvaluator } from "./worker-evaluator.js";
import { watches } from "./wakeups.js";
import type { EventsStoredNotice, LeaseKey } from "../storage/storage.js";

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
   * Whether the daemon's run queue claims and launches `QUEUED` runs (woken by commits and by runs
   * queued or ended anywhere, and at least every second). `false` leaves them `QUEUED` for another
   * daemon. @defaultValue true
   */
  launchRuns?: boolean;
  /**
   * On storage that allows one daemon (SQLite): wait as a standby while another live daemon serves
   * the instance, and take over when it stops, instead of refusing to start (`DaemonConflictError`).
   * @defaultValue false
   */
  standby?: boolean;
  /**
   * How long the daemon's registration and sensor leases last without renewal (renewed every third
   * of it): a killed daemon's sensors tick again elsewhere within twice this. @defaultValue
   * `daemon.leaseSeconds` of vigil.yaml (15)
   */
  leaseSeconds?: number;
  /**
   * Where the daemon reports what it could not record, and every line its sensors log
   * (`context.log`, with time, level, sensor name and tick id; the third argument has them as data).
   * @defaultValue warnings, errors and sensor lines to stderr
   */
  log?: DaemonLogger;
}

const PURGE_EVERY_MS = 60_000;
/** Run monitoring judges heartbeats in seconds: looking more often than this only costs queries. */
const MONITOR_EVERY_MS = 1000;

/** Events after which queued runs may be claimable: a run queued, or a slot freed. */
const QUEUE_EVENTS = new Set<string>([EventType.RUN_ENQUEUED, EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED]);

/** Warnings, errors and sensors' log lines to stderr; the daemon's own info messages are dropped. */
const defaultLog: DaemonLogger = (level, message, sensorLine) => {
  if (level !== "info" || sensorLine !== undefined) process.stderr.write(`[vigil daemon] ${message}\n`);
};

/**
 * The sensor daemon: each iteration evaluates every running sensor it holds the lease of and whose
 * minimum interval has passed since the start of its previous tick, records a tick per evaluation
 * and commits the runs it requested together with the tick's end and the cursor, under the lease;
 * its run queue claims and launches queued runs in a loop of its own. Any number of daemons may
 * serve one PostgreSQL instance: sensors are spread over them by leases (see docs/ownership.md).
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
  /** Identifies this daemon: its registered process id, `<host>/<pid>/<random>`. */
  readonly id: string = newProcessId();
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
  readonly #standby: boolean;
  readonly #leases: DaemonLeases;
  /** Names of the sensors that ran at the latest iteration: what lease rounds ask for. */
  #running: string[] = [];
  #heartbeatTimer: NodeJS.Timeout | null = null;
  /** When run monitoring last looked (monotonic ms): at most once a second, however fast iterations come. */
  #lastMonitorAt = -Infinity;
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
  /**
   * The lease token each sensor was last ticked under: a sensor seen with a new token was just
   * acquired (its previous owner's interrupted tick is not counted, see `#waitMs`).
   */
  readonly #checked = new Map<string, number>();
  /** Sensors whose latest tick here did not end cleanly (left STARTED): the next one looks for dangling ticks. */
  readonly #unclean = new Set<string>();
  readonly #lastPurge = new Map<string, number>();
  /** Sensors whose last tick left a backlog: due again at once, whatever their interval. */
  readonly #backlog = new Set<string>();

  constructor(options: DaemonOptions) {
    this.#instance = options.instance;
    this.#clock = options.clock ?? new SystemClock();
    this.#loopIntervalMs = options.loopIntervalMs ?? 1000;
    this.#wakePollMs = options.wakePollMs ?? 100;
    this.#log = options.log ?? defaultLog;
    this.#launchRuns = options.launchRuns ?? true;
    this.#standby = options.standby ?? false;
    this.#source = new DefinitionsSource(options.definitions, this.#log);
    this.#runs = new DaemonRuns(this.#instance, options.launcher, this.#log, this.id);
    this.#leases = new DaemonLeases({
      storage: this.#instance.storage,
      id: this.id,
      leaseMs: (options.leaseSeconds ?? this.#instance.config.daemon.leaseSeconds) * 1000,
      probe: probeProcess,
      info: { definitions: typeof options.definitions === "string" ? options.definitions : "(object)", home: this.#instance.home },
      log: this.#log,
    });
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
   * Evaluates every running sensor due at `clock.now()` that this daemon holds the lease of (one
   * tick each; a sensor whose previous tick is still in flight is left alone), resolves when their
   * ticks have ended and a claim-and-launch pass of the run queue after them has too. Never rejects
   * for a sensor's failure; rejects if the definitions module never loaded, or with a
   * `DaemonConflictError` when another daemon serves a SQLite instance (unless `standby`).
   */
  async runIteration(): Promise<void> {
    const started = await this.#iterate();
    await Promise.all(started);
    if (this.#launchRuns && !this.#closed) await this.#runs.drain();
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

  /** Events were stored: evaluates at once the sensors watching them (event-driven wakeups); wakes the run queue for runs queued or ended. */
  #onEvents(notice: EventsStoredNotice): void {
    if (this.#launchRuns && (notice.eventTypes === null || notice.eventTypes.some((t) => QUEUE_EVENTS.has(t)))) this.#runs.wake();
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

  /**
   * Stops the loop, waits for ticks in flight and launched in-process runs, stops workers, then
   * gives its leases back (other daemons take its sensors at their next round) and unregisters.
   * The instance stays open.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    this.#unsubscribe?.();
    if (this.#heartbeatTimer !== null) clearInterval(this.#heartbeatTimer);
    for (const timer of this.#deferred.values()) clearTimeout(timer);
    this.#deferred.clear();
    await this.#loop;
    await Promise.allSettled([...this.#wakeups]);
    await Promise.allSettled([...this.#inFlight.values()]);
    await this.#evaluator?.close();
    await this.#runs.close();
    await this.#leases.release().catch((error: unknown) => this.#log("warn", `Daemon ${this.id} could not release its leases (${toError(error).message}); they lapse in ${this.#instance.config.daemon.leaseSeconds} s.`));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Starts the ticks due now; returns their promises. With `only` (an event wakeup), looks at those
   * sensors alone, without reloading definitions, a lease round or run monitoring.
   */
  async #iterate(only?: ReadonlySet<string>): Promise<Promise<void>[]> {
    if (this.#closed) return [];
    if (only !== undefined) {
      const sensors = (this.#definitions?.sensors ?? []) as unknown as readonly SensorDefinition[];
      const picked = sensors.filter((s) => only.has(s.name));
      return this.#startDue(picked, await resolveSensorStatuses(this.#instance.storage, picked), true);
    }
    const definitions = await this.#source.get();
    await this.#build(definitions);
    this.#definitions = definitions;
    const sensors = definitions.sensors as unknown as readonly SensorDefinition[];
    const states = await resolveSensorStatuses(this.#instance.storage, sensors);
    this.#running = sensors.filter((s) => states.get(s.name)?.status === "RUNNING").map((s) => s.name);
    if (this.#leases.due(this.#wanted())) await this.#leaseRound();
    // Runs whose worker fell silent are failed (by one daemon: the run monitor lease's holder);
    // QUEUED runs (a crash after a commit, a limit that freed up, runs queued by hand) are claimed.
    if (this.#leases.holdsSingleton(RUN_MONITOR_LEASE) && performance.now() - this.#lastMonitorAt >= MONITOR_EVERY_MS) {
      this.#lastMonitorAt = performance.now();
      await this.#runs.check();
    }
    if (this.#launchRuns) this.#runs.wake();
    return this.#startDue(sensors, states, false);
  }

  /** What this daemon asks leases for: its running sensors, and the run monitor duty. */
  #wanted(): LeaseKey[] {
    return [...this.#running.map((name) => ({ kind: LeaseKind.SENSOR, name })), { kind: LeaseKind.SINGLETON, name: RUN_MONITOR_LEASE }];
  }

  /**
   * One lease round now (joins one in flight). On SQLite, when another daemon serves the instance,
   * rejects with its `DaemonConflictError` — or, as a standby, waits and retries every third of the
   * lease until that daemon is gone.
   */
  async #leaseRound(): Promise<void> {
    for (;;) {
      try {
        await this.#leases.round(this.#wanted(), [...this.#inFlight.keys()].map((name) => ({ kind: LeaseKind.SENSOR, name })));
        this.#keepRenewing();
        return;
      } catch (error) {
        if (!this.#standby || !VigilError.is(error, ErrorCode.DAEMON_CONFLICT) || this.#closed) throw error;
        this.#log("info", `Standby: ${toError(error).message.split(";")[0]}; waiting to take over.`);
        await new Promise((resolve) => setTimeout(resolve, this.#leaseRoundMs()));
      }
    }
  }

  /**
   * From the first successful round on, renewals run on their own timer, also under
   * `runIteration()`: a first iteration whose ticks take longer than the lease (cold worker
   * threads, a slow sensor) must not let the leases lapse.
   */
  #keepRenewing(): void {
    if (this.#heartbeatTimer !== null || this.#closed) return;
    this.#heartbeatTimer = setInterval(() => void this.#leaseRound().catch((error: unknown) => this.#logRoundError(error)), this.#leaseRoundMs());
    this.#heartbeatTimer.unref();
  }

  #leaseRoundMs(): number {
    return Math.max(50, Math.floor(this.#instance.config.daemon.leaseSeconds * 1000) / 3);
  }

  #logRoundError(error: unknown): void {
    this.#log("error", `Daemon ${this.id} could not renew its leases (${toError(error).message}); it stops ticking sensors whose lease lapses and retries.`);
  }

  /**
   * Starts a tick for each running, due sensor of `sensors` whose lease this daemon holds. For an
   * event wakeup (`woken`), a sensor in flight is looked at again when its tick ends, and one not
   * due yet when it is.
   */
  #startDue(sensors: readonly SensorDefinition[], states: ReadonlyMap<string, StoredSensorState>, woken: boolean): Promise<void>[] {
    const now = this.#clock.now();
    const started: Promise<void>[] = [];
    for (const sensor of sensors) {
      const state = states.get(sensor.name) ?? null;
      if (state === null || state.status !== "RUNNING") continue;
      const lease = this.#leases.held(LeaseKind.SENSOR, sensor.name);
      if (lease === null) continue;
      if (this.#inFlight.has(sensor.name)) {
        if (woken) this.#pending.add(sensor.name);
        continue;
      }
      const wait = this.#waitMs(sensor, state, lease, now);
      if (wait > 0) {
        if (woken) this.#defer(sensor.name, wait);
        continue;
      }
      started.push(this.#tick(sensor, lease, now));
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
    // Warm before the first lease round: sensors this daemon takes over must not wait for a cold start.
    await this.#evaluator.warm?.();
    await this.#runs.prepare(definitions, this.#source.modulePath, reloaded);
  }

  /**
   * How long until due (0: due now): when `minimumIntervalSeconds` passed since the start of its previous tick, as stored
   * (`lastTickStartTimestamp`, written with the `STARTED` tick), so a restarted or second daemon
   * keeps the spacing. Exception: at the first tick under a newly acquired lease, a started tick
   * that never ended (start after the last ended tick's) was interrupted and is not counted: the
   * tick start closes it and the sensor is evaluated again at once from its stored cursor.
   */
  #waitMs(sensor: SensorDefinition, state: StoredSensorState, lease: LeaseGrant, now: number): number {
    if (this.#backlog.has(sensor.name)) return 0;
    const ended = state.lastTickTimestamp ?? -Infinity;
    const begun = state.lastTickStartTimestamp ?? -Infinity;
    const stored = this.#checked.get(sensor.name) !== lease.token && begun > ended ? ended : Math.max(ended, begun);
    const last = Math.max(stored, this.#lastStart.get(sensor.name) ?? -Infinity);
    return last === -Infinity ? 0 : Math.max(0, last + sensor.minimumIntervalSeconds * 1000 - now);
  }

  #tick(sensor: SensorDefinition, lease: LeaseGrant, now: number): Promise<void> {
    const name = sensor.name;
    this.#lastStart.set(name, now);
    const purge = now - (this.#lastPurge.get(name) ?? -Infinity) >= PURGE_EVERY_MS;
    if (purge) this.#lastPurge.set(name, now);
    const timeoutSeconds = sensor.options.timeoutSecondsIsDefault ? this.#instance.config.sensors.timeoutSeconds : sensor.timeoutSeconds;
    const closeDangling = this.#checked.get(name) !== lease.token || this.#unclean.has(name);
    const input = { sensorName: name, lease: { owner: lease.owner, token: lease.token }, closeDangling, timeoutMs: timeoutSeconds * 1000, purge };
    const done = runTick(this.#environment(), input).then((tick) => {
      this.#checked.set(name, lease.token);
      if (tick === null || tick.status === "STARTED") this.#unclean.add(name);
      else this.#unclean.delete(name);
    });
    this.#backlog.delete(name);
    const tracked = done.finally(() => {
      this.#inFlight.delete(name);
      // Under start(), a backlog goes on at once; under runIteration() the next call takes it.
      const again = this.#pending.delete(name) || (this.#backlog.has(name) && this.#loop !== null);
      if (again) this.#wakeUp(new Set([name]));
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
      queued: () => {
        if (this.#launchRuns) this.#runs.wake();
      },
      leaseLost: (name) => this.#leases.drop(LeaseKind.SENSOR, name),
      backlog: (name) => this.#backlog.add(name),
      retention: this.#instance.config.retention.sensor.purgeAfterDays,
      log: this.#log,
    };
  }
}
