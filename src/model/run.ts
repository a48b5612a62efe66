import type { RunStatus } from "./run-status.js";

/** Run config as stored: `{ ops: { [opName]: { config } }, resources: { [key]: { config } } }`. */
export type RunConfigValue = Record<string, unknown>;

/** A job run. Times are ms since epoch. */
export interface Run {
  runId: string;
  jobName: string;
  status: RunStatus;
  tags: Record<string, string>;
  runConfig: RunConfigValue;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

/** The tags Vigil writes on runs it launches. */
export const RunTag = {
  SENSOR_NAME: "vigil/sensor_name",
  RUN_KEY: "vigil/run_key",
  TICK_ID: "vigil/tick_id",
} as const;

/** What `instance.getRuns` accepts; every given filter must hold. Newest first. */
export interface RunsQuery {
  jobName?: string;
  statuses?: readonly RunStatus[];
  /** Every tag must match exactly. */
  tags?: Record<string, string>;
  limit?: number;
  /** A run id: only runs created before it (the next page). */
  cursor?: string;
}
