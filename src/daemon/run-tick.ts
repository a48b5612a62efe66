import { ErrorCode, serializeError, toError, VigilError } from "../errors/index.js";
import { TickStatus, type LogLevel, type Run, type Tick } from "../model/index.js";
import type { LeaseProof, Storage } from "../storage/storage.js";
import type { Clock } from "./clock.js";
import type { EvaluationOutcome, SensorEvaluator } from "./evaluate-sensor.js";
import { TickStep, crashIfRequested } from "./tick.js";

/** A line a sensor logged (`context.log`) during one of its ticks, as the daemon reports it. */
export interface SensorLogLine {
  sensorName: string;
  tickId: number;
  level: LogLevel;
  message: string;
  /** When the sensor wrote it, ms since epoch (real clock). */
  timestamp: number;
}

/**
 * Where the daemon reports what it could not record in storage, and the lines sensors log: those
 * come with `sensorLine` (DEBUG/INFO as "info", WARNING as "warn", ERROR as "error"), and `message`
 * is the line formatted as `<ISO time> <LEVEL> sensor "<name>" tick <id>: <message>`.
 */
export type DaemonLogger = (level: "info" | "warn" | "error", message: string, sensorLine?: SensorLogLine) => void;

/** Days to keep ticks of each status; 0 or -1 keeps forever. */
export type TickRetention = Readonly<Record<"skipped" | "success" | "failure" | "started", number>>;

/** @internal What a tick needs from its daemon. */
export interface TickEnvironment {
  storage: Storage;
  clock: Clock;
  evaluator: SensorEvaluator;
  /** Tells the daemon's run queue a tick created runs (it claims and launches them in its own loop; the tick does not wait). */
  queued(runs: readonly Run[]): void;
  /** The sensor's lease was taken over: the daemon forgets it. */
  leaseLost(sensorName: string): void;
  /** The tick left work behind (a run status backlog): the sensor is due again at once. */
  backlog(sensorName: string): void;
  retention: TickRetention;
  log: DaemonLogger;
}

/** @internal One tick to run. */
export interface TickInput {
  sensorName: string;
  timeoutMs: number;
  /** The sensor's lease: the tick is started and committed only under it. */
  lease: LeaseProof;
  /** Look for dangling `STARTED` ticks to close (first tick under this lease, or after a tick that did not end cleanly). */
  closeDangling: boolean;
  /** Purge old ticks after this one. */
  purge: boolean;
}

const DAY_MS = 86_400_000;

/**
 * @internal One tick of one sensor, as a state machine: start the `STARTED` tick under the lease
 * (closing dangling ones, reading the state) → evaluate → commit under the lease (one transaction:
 * runs, tick end, cursor) → tell the run queue → purge old ticks. Never throws: what cannot be
 * stored is logged, and the tick left `STARTED` is closed by the next one. A lease taken over by
 * another daemon ends the tick quietly (nothing was written). Returns the ended tick, or null when
 * none could be stored.
 */
export async function runTick(env: TickEnvironment, input: TickInput): Promise<Tick | null> {
  const { storage, clock } = env;
  const name = input.sensorName;
  let tick: Tick | null = null;
  try {
    const started = await storage.startTick({ sensorName: name, timestamp: clock.now(), lease: input.lease, closeDangling: input.closeDangling });
    tick = started.tick;
    for (const closed of started.closed) env.log("warn", `Sensor "${name}": closed interrupted tick ${closed.id} as SKIPPED.`);
    crashIfRequested(TickStep.TICK_CREATED);

    const tickId = tick.id;
    const state = started.state;
    const outcome = await env.evaluator.evaluate(
      {
        sensorName: name,
        cursor: state?.cursor ?? null,
        lastRunKey: state?.lastRunKey ?? null,
        lastTickCompletionTime: state?.lastTickTimestamp ?? null,
        timeoutMs: input.timeoutMs,
      },
      (entry) => logSensorLine(env.log, { sensorName: name, tickId, ...entry }),
    );
    crashIfRequested(TickStep.EVALUATED);

    const { tick: ended, runs } = await storage.commitTick({
      tickId: tick.id,
      lease: input.lease,
      sensorName: name,
      ...commitOf(outcome, tick),
      endTimestamp: clock.now(),
      createdAt: Date.now(),
    });
    tick = ended;
    crashIfRequested(TickStep.COMMITTED);
    for (let i = 0; i < runs.length; i++) crashIfRequested(TickStep.RUN_CREATED);

    if (runs.length > 0) env.queued(runs);
    if (outcome.ok && outcome.backlog && ended.status !== TickStatus.FAILURE) env.backlog(name);
    if (input.purge) await purgeTicks(env, name);
    crashIfRequested(TickStep.TICK_COMPLETED);
    return tick;
  } catch (thrown) {
    if (VigilError.is(thrown, ErrorCode.LEASE_LOST)) {
      // Another daemon owns the sensor now; it closes this tick if it was left STARTED.
      env.log("info", toError(thrown).message);
      env.leaseLost(name);
      return null;
    }
    // Storage failed (or a bug): record the failure on the tick if it is still open, else log.
    const error = serializeError(toError(thrown));
    env.log("error", `Sensor "${name}": the daemon could not complete its tick (${error.message}); it will be retried.`);
    if (tick !== null && tick.status === TickStatus.STARTED) {
      try {
        return await storage.updateTick(tick.id, {
          status: TickStatus.FAILURE,
          endTimestamp: clock.now(),
          error: { message: `Sensor "${name}": the daemon could not complete its tick: ${error.message}`, stack: error.stack },
        });
      } catch {
        // Left STARTED: the next tick of this sensor closes it.
      }
    }
    return tick;
  }
}

/** Reports one line a sensor logged through the daemon's logger. */
function logSensorLine(log: DaemonLogger, line: SensorLogLine): void {
  const level = line.level === "ERROR" ? "error" : line.level === "WARNING" ? "warn" : "info";
  log(level, `${new Date(line.timestamp).toISOString()} ${line.level} sensor "${line.sensorName}" tick ${line.tickId}: ${line.message}`, line);
}

/** The commit of an evaluation's outcome: runs and cursor, or a failure that keeps the cursor. */
function commitOf(outcome: EvaluationOutcome, tick: Tick) {
  if (!outcome.ok) {
    return { runRequests: [], skipReason: null, error: outcome.error, cursor: tick.cursorBefore, storeCursor: false };
  }
  // Passed through as they are: the commit generates run ids only for the runs it creates (a tick may
  // carry 100,000 requests whose keys are all used, and a copy per request is mostly GC work).
  // A run status sensor's handler error fails the tick, but its cursor is stored anyway.
  return { runRequests: outcome.runRequests, skipReason: outcome.skipReason, error: outcome.error, cursor: outcome.cursor, storeCursor: true, handledEvents: outcome.handledEvents };
}

/** Deletes this sensor's ticks older than their status's retention, by the daemon's clock. */
async function purgeTicks(env: TickEnvironment, sensorName: string): Promise<void> {
  const now = env.clock.now();
  const statuses = [
    [TickStatus.SKIPPED, env.retention.skipped],
    [TickStatus.SUCCESS, env.retention.success],
    [TickStatus.FAILURE, env.retention.failure],
    [TickStatus.STARTED, env.retention.started],
  ] as const;
  for (const [status, days] of statuses) {
    // A STARTED tick is only purged when it is not the one in flight: their retention is in days.
    if (days > 0) await env.storage.purgeTicks(sensorName, status, now - days * DAY_MS);
  }
}
