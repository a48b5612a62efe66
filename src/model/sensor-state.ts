/** Whether a sensor is evaluated by the daemon. */
export const SensorStatus = { RUNNING: "RUNNING", STOPPED: "STOPPED" } as const;
export type SensorStatus = (typeof SensorStatus)[keyof typeof SensorStatus];

/** Who set the stored status: the code's `defaultStatus`, or a user's start/stop. */
export type SensorStatusSource = "default" | "user";

/** What `instance.getSensorState(name)` returns (SPEC §1.7). */
export type SensorState = Omit<StoredSensorState, "lastTickStartTimestamp">;

/** What storage holds about a sensor between ticks: the public state plus daemon bookkeeping. */
export interface StoredSensorState {
  name: string;
  status: SensorStatus;
  statusSource: SensorStatusSource;
  cursor: string | null;
  /** Start time of the last tick that ended (SUCCESS, SKIPPED or FAILURE), from the daemon's clock. */
  lastTickTimestamp: number | null;
  /**
   * Start time of the newest tick a daemon began (stored with the `STARTED` tick, ended or not), from
   * the daemon's clock: with `lastTickTimestamp`, what spaces ticks by `minimumIntervalSeconds`.
   */
  lastTickStartTimestamp: number | null;
  lastRunKey: string | null;
}
