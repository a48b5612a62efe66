// The JSON shapes of the HTTP API (docs/ui.md). The UI imports them with `import type` only.
import type { EventLogRecord, Run, RunQueueInfo, SensorStatus, SensorStatusSource, Tick, TickStatus } from "../model/index.js";

export type { EventLogRecord, Run, Tick, TickStatus, SensorStatus };
// `GET /api/deployment` answers a `DeploymentStatus`; `RunDetail.queueInfo` is a `RunQueueInfo`.
export type { DaemonStatus, DeploymentStatus, RunQueueBlocker, RunQueueInfo, WorkerStatus } from "../model/index.js";

/** Every error response: one sentence. */
export interface ApiError {
  error: string;
}

/** `GET /api/info`: what the UI needs before anything else. */
export interface ApiInfo {
  repositoryName: string;
  readOnly: boolean;
  /** Whether the Preview button works (read-only UIs refuse previews unless started with --allow-preview). */
  previewAllowed: boolean;
  /** Server time (ms since epoch), to show "next tick in". */
  now: number;
}

/** One sensor as the Sensors page lists it. */
export interface SensorSummary {
  name: string;
  description: string | null;
  sensorType: string;
  /** The effective status: a stored user start/stop wins; otherwise the code's `defaultStatus`. */
  status: SensorStatus;
  statusSource: SensorStatusSource;
  minimumIntervalSeconds: number;
  targetJobNames: string[];
  lastTick: Tick | null;
  /** When the daemon may evaluate it next (ms): last tick start + interval; null when stopped. */
  nextTickAt: number | null;
  /** How late it is now past `nextTickAt` (ms, ≥ 0); null when stopped or never ticked. */
  lagMs: number | null;
  cursor: string | null;
  /** The live daemon holding the sensor's lease (the one that evaluates it); null when none does. */
  owner: SensorOwner | null;
}

/** A daemon, as a sensor's owner. */
export interface SensorOwner {
  /** Its registered process id, `<host>/<pid>/<random>` (as `GET /api/deployment` lists it). */
  daemonId: string;
  host: string;
  pid: number;
}

/** `GET /api/sensors/:name/ticks`. */
export interface TicksPage {
  ticks: Tick[];
  /** Pass as `before` for the next (older) page; null at the end. */
  nextBefore: number | null;
}

/** `POST /api/sensors/:name/preview`: what a tick would do now (run keys already used marked); nothing is stored. */
export type { PreviewResult } from "../instance/preview-sensor.js";

/** `GET /api/runs/:id/logs?after=&limit=`: what the run printed, in order. */
export interface RunLogsPage {
  logs: { id: number; stream: "stdout" | "stderr"; timestamp: number; text: string }[];
  /** Pass as `after` for the next page; null at the end. */
  nextAfter: number | null;
}

/** `GET /api/runs`. */
export interface RunsPage {
  runs: RunSummary[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
}

/** A run with its duration (ms; null until it ended) and the sensor that launched it. */
export interface RunSummary extends Run {
  durationMs: number | null;
  sensorName: string | null;
}

/** One step's timing, from its STEP_START and STEP_SUCCESS/STEP_FAILURE events. */
export interface StepTiming {
  stepKey: string;
  status: "STARTED" | "SUCCESS" | "FAILURE";
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
}

/** `GET /api/runs/:id`. */
export interface RunDetail {
  run: RunSummary;
  steps: StepTiming[];
  /** The failure message of a FAILURE run (its RUN_FAILURE or first STEP_FAILURE event). */
  failure: { message: string; stack: string | null } | null;
  /** For a QUEUED run: its place in the queue and the concurrency limits holding it back; else null. */
  queueInfo: RunQueueInfo | null;
}

/** `GET /api/runs/:id/events`. */
export interface EventsPage {
  events: EventLogRecord[];
  /** Pass as `after` for the next page; null when this page was not full. */
  nextAfter: number | null;
}

/** One op of a job graph. */
export interface JobOp {
  name: string;
  opName: string;
  description: string | null;
  /** Names of the nodes whose outputs it takes. */
  inputs: string[];
  /** JSON Schema (draft 2020-12, input side) of its config, or null when it takes none. */
  configSchema: unknown;
}

/** `GET /api/jobs` items. */
export interface JobSummary {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  ops: JobOp[];
  /** Sensors that target it. */
  sensorNames: string[];
}

/** `GET /api/assets` items. */
export interface AssetSummary {
  key: string;
  latest: EventLogRecord;
}

/** `GET /api/assets/:key`. */
export interface AssetDetail {
  key: string;
  history: EventLogRecord[];
}

/** `GET /api/overview`. */
export interface Overview {
  sensors: SensorSummary[];
  recentFailures: Tick[];
  runsInProgress: RunSummary[];
  recentRuns: RunSummary[];
  runCounts: Record<string, number>;
}

/** What the live stream (`GET /api/stream`, SSE event `change`) reports. */
export interface ChangeEvent {
  /**
   * `events`: new event log entries (runs, statuses, materializations); `sensors`: ticks or sensor
   * state; `deployment`: a daemon or worker came or went, or a lease changed hands.
   */
  kinds: ("events" | "sensors" | "deployment")[];
  maxStorageId: number;
}
