import { InvalidStatusTransitionError, type SerializedError } from "../errors/index.js";

/** Where a tick (one evaluation of a sensor) is in its life. */
export const TickStatus = {
  STARTED: "STARTED",
  SUCCESS: "SUCCESS",
  SKIPPED: "SKIPPED",
  FAILURE: "FAILURE",
} as const;

export type TickStatus = (typeof TickStatus)[keyof typeof TickStatus];

/** One evaluation of a sensor. Times come from the daemon's clock (ms since epoch). */
export interface Tick {
  id: number;
  sensorName: string;
  status: TickStatus;
  timestamp: number;
  endTimestamp: number | null;
  /** Runs this tick created. */
  runIds: string[];
  /** Every run key it requested, once each. */
  runKeys: string[];
  /** Run keys skipped because a run already had them. */
  dedupedRunKeys: string[];
  skipReason: string | null;
  error: { message: string; stack: string } | null;
  cursorBefore: string | null;
  /** The cursor after the tick. */
  cursor: string | null;
  /**
   * Present only when a list above holds just its first `TICK_LIST_CAP` entries (a tick of
   * 100,000 keys): the full counts. The full sets stay in storage as runs tagged with the tick's
   * id (`vigil/tick_id`) and the sensor's run keys (`vigil/run_key`).
   */
  totals?: { runIds: number; runKeys: number; dedupedRunKeys: number };
}

/** How many entries a stored tick keeps of each list (run ids, run keys, deduplicated run keys). */
export const TICK_LIST_CAP = 1000;

/**
 * The tick as stored: each list cut to its first `TICK_LIST_CAP` entries, with `totals` giving
 * the full counts when any was cut (a tick of 100,000 deduplicated keys would otherwise store
 * megabytes, every few seconds). Returns the tick itself when nothing needs cutting.
 */
export function capTickLists(tick: Tick): Tick {
  const { runIds, runKeys, dedupedRunKeys } = tick;
  if (runIds.length <= TICK_LIST_CAP && runKeys.length <= TICK_LIST_CAP && dedupedRunKeys.length <= TICK_LIST_CAP) return tick;
  return {
    ...tick,
    runIds: runIds.slice(0, TICK_LIST_CAP),
    runKeys: runKeys.slice(0, TICK_LIST_CAP),
    dedupedRunKeys: dedupedRunKeys.slice(0, TICK_LIST_CAP),
    totals: tick.totals ?? { runIds: runIds.length, runKeys: runKeys.length, dedupedRunKeys: dedupedRunKeys.length },
  };
}

/** A tick without its lists and bodies: what status pages and pollers read. */
export type TickHeader = Pick<Tick, "id" | "sensorName" | "status" | "timestamp" | "endTimestamp">;

const TICK_TRANSITIONS: Readonly<Record<TickStatus, readonly TickStatus[]>> = {
  STARTED: ["STARTED", "SUCCESS", "SKIPPED", "FAILURE"],
  SUCCESS: [],
  SKIPPED: [],
  FAILURE: [],
};

/** Throws unless a tick in `from` may move to `to` (a STARTED tick may be updated in place). */
export function assertTickTransition(tickId: number, from: TickStatus, to: TickStatus): void {
  if (!TICK_TRANSITIONS[from].includes(to)) {
    throw new InvalidStatusTransitionError(`Tick ${tickId} cannot move from ${from} to ${to}; it has already ended.`);
  }
}

/** The stored error of a FAILURE tick. */
export type TickError = Pick<SerializedError, "message" | "stack">;
