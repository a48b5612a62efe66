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
}

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
