import { InvalidStatusTransitionError } from "../errors/index.js";
import { EventType } from "./event-type.js";

/** Where a run is in its life. The values are what storage holds. */
export const RunStatus = {
  QUEUED: "QUEUED",
  NOT_STARTED: "NOT_STARTED",
  STARTING: "STARTING",
  STARTED: "STARTED",
  SUCCESS: "SUCCESS",
  FAILURE: "FAILURE",
  CANCELING: "CANCELING",
  CANCELED: "CANCELED",
} as const;

export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** The statuses a run never leaves. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = [RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED];

const allRunStatuses = new Set<string>(Object.values(RunStatus));

/** True when `value` is one of the `RunStatus` strings. */
export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === "string" && allRunStatuses.has(value);
}

/** True for `SUCCESS`, `FAILURE` and `CANCELED`. */
export function isTerminalRunStatus(status: RunStatus): boolean {
  return TERMINAL_RUN_STATUSES.includes(status);
}

/**
 * Every move a run may make. This is the one place that decides; storage and the daemon both ask
 * `assertRunTransition`. A run may fail from any live status (its worker can die anywhere).
 */
const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  NOT_STARTED: ["QUEUED", "STARTING", "STARTED", "FAILURE", "CANCELING", "CANCELED"],
  QUEUED: ["STARTING", "STARTED", "FAILURE", "CANCELING", "CANCELED"],
  STARTING: ["STARTED", "FAILURE", "CANCELING", "CANCELED"],
  STARTED: ["SUCCESS", "FAILURE", "CANCELING", "CANCELED"],
  CANCELING: ["CANCELED", "FAILURE", "SUCCESS"],
  SUCCESS: [],
  FAILURE: [],
  CANCELED: [],
};

/** True when a run in `from` may move to `to`. */
export function canTransitionRun(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** Throws `InvalidStatusTransitionError` naming the run and both statuses unless the move is allowed. */
export function assertRunTransition(runId: string, from: RunStatus, to: RunStatus): void {
  if (!canTransitionRun(from, to)) {
    const allowed = RUN_TRANSITIONS[from];
    throw new InvalidStatusTransitionError(
      `Run "${runId}" cannot move from ${from} to ${to}; from ${from} it may only move to ${allowed.length ? allowed.join(", ") : "nothing (it has finished)"}.`,
    );
  }
}

/** The status event written when a run enters each status (`NOT_STARTED` has none). */
export const RUN_STATUS_EVENT: Readonly<Record<RunStatus, EventType | null>> = {
  QUEUED: EventType.RUN_ENQUEUED,
  NOT_STARTED: null,
  STARTING: EventType.RUN_STARTING,
  STARTED: EventType.RUN_START,
  SUCCESS: EventType.RUN_SUCCESS,
  FAILURE: EventType.RUN_FAILURE,
  CANCELING: EventType.RUN_CANCELING,
  CANCELED: EventType.RUN_CANCELED,
};

/** The run status an event type moves a run to, or null when the event is not a status event. */
export function runStatusForEvent(eventType: EventType): RunStatus | null {
  for (const [status, type] of Object.entries(RUN_STATUS_EVENT)) {
    if (type === eventType) return status as RunStatus;
  }
  return null;
}
