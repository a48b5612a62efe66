/** The kinds of entries a run writes to the event log. The values are what storage holds. */
export const EventType = {
  RUN_ENQUEUED: "RUN_ENQUEUED",
  RUN_STARTING: "RUN_STARTING",
  RUN_START: "RUN_START",
  RUN_SUCCESS: "RUN_SUCCESS",
  RUN_FAILURE: "RUN_FAILURE",
  RUN_CANCELING: "RUN_CANCELING",
  RUN_CANCELED: "RUN_CANCELED",
  STEP_START: "STEP_START",
  STEP_SUCCESS: "STEP_SUCCESS",
  STEP_FAILURE: "STEP_FAILURE",
  STEP_OUTPUT: "STEP_OUTPUT",
  ASSET_MATERIALIZATION: "ASSET_MATERIALIZATION",
  LOG: "LOG",
} as const;

export type EventType = (typeof EventType)[keyof typeof EventType];

const allEventTypes = new Set<string>(Object.values(EventType));

/** True when `value` is one of the `EventType` strings. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && allEventTypes.has(value);
}
