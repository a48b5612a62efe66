import type { EventLogRecord, EventType, Run } from "../model/index.js";
import { SkipReason } from "./skip-reason.js";

/** The cursor of a run status sensor: the storage id of the last status event it handled (or skipped). */
export interface RunStatusSensorCursor {
  storageId: number;
}

/** What `planRunStatusBatch` needs to know about the sensor. */
export interface RunStatusBatchSensor {
  readonly name: string;
  /** The status event type the sensor reacts to (`RUN_FAILURE` …). */
  readonly eventType: EventType;
  /** Job names it watches; `null` means the jobs of its `Definitions`. */
  readonly monitoredJobNames: readonly string[] | null;
  /** Watches every run of the instance. */
  readonly monitorAllJobs: boolean;
}

/** The inputs of `planRunStatusBatch`: plain data the daemon read from storage. */
export interface RunStatusBatchInput {
  /**
   * The sensor's status events after the cursor (any order; other event types are ignored). When
   * the cursor is missing or unreadable, the newest event of that type, if any, is enough.
   */
  records: readonly EventLogRecord[];
  /** The runs of those events (missing runs are skipped). */
  runs: ReadonlyMap<string, Run> | Iterable<Run>;
  /** The stored cursor. */
  cursor: string | null;
  /**
   * The job names of the sensor's `Definitions`, watched when it names no `monitoredJobs`;
   * `null`/omitted: unknown, so every job is watched.
   */
  definitionsJobNames?: ReadonlySet<string> | readonly string[] | null;
}

/** One status event to call the sensor's function with. */
export interface RunStatusBatchEvent {
  record: EventLogRecord;
  run: Run;
}

/** What one tick of a run status sensor does, decided from plain data. */
export type RunStatusBatchPlan =
  | {
      /** First evaluation (no readable cursor): start from the newest event, handle nothing. */
      kind: "initiate";
      cursor: string;
      skipReason: SkipReason;
      events: readonly [];
    }
  | {
      kind: "batch";
      /** The cursor after the tick: past every event seen, handled or skipped. */
      cursor: string;
      /** Every matching event after the cursor, in storage-id order, of the records given. */
      events: readonly RunStatusBatchEvent[];
      /** Events after the cursor that were skipped: other jobs, or runs that no longer exist. */
      skippedEvents: number;
    };

/**
 * Reads a run status sensor's cursor (`{"storageId":N}`); `null` when missing or unreadable, which
 * makes the sensor start from now.
 *
 * @example
 * parseRunStatusCursor('{"storageId":12}'); // { storageId: 12 }
 * parseRunStatusCursor("garbage");          // null
 */
export function parseRunStatusCursor(cursor: string | null): RunStatusSensorCursor | null {
  if (cursor === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const storageId = (parsed as { storageId?: unknown }).storageId;
  return Number.isSafeInteger(storageId) ? { storageId: storageId as number } : null;
}

/**
 * Writes a run status sensor's cursor.
 *
 * @example
 * formatRunStatusCursor({ storageId: 12 }); // '{"storageId":12}'
 */
export function formatRunStatusCursor(cursor: RunStatusSensorCursor): string {
  return JSON.stringify({ storageId: cursor.storageId });
}

/**
 * Decides one tick of a run status sensor, purely: with no readable cursor, set it to the newest
 * status event and skip ("Initiating …"); otherwise every matching event after the cursor, in
 * storage-id order, is to be handled, events of jobs it does not watch (or of missing runs) are
 * skipped, and the cursor moves past all of them. Calling the functions is
 * `runRunStatusHandlers`'s job.
 *
 * @example
 * const plan = planRunStatusBatch(onFailure, { records, runs, cursor, definitionsJobNames: defs.jobs.map((j) => j.name) });
 * @see docs/sensors.md
 */
export function planRunStatusBatch(sensor: RunStatusBatchSensor, input: RunStatusBatchInput): RunStatusBatchPlan {
  const records = input.records.filter((r) => r.entry.event?.eventType === sensor.eventType);
  const cursor = parseRunStatusCursor(input.cursor);
  if (cursor === null) {
    const newest = records.reduce((max, r) => Math.max(max, r.storageId), -1);
    const next = formatRunStatusCursor({ storageId: newest });
    return {
      kind: "initiate",
      cursor: next,
      skipReason: new SkipReason(`Initiating ${sensor.name}. Set cursor to ${next}; only ${sensor.eventType} events after it will be handled.`),
      events: [],
    };
  }
  const runs = input.runs instanceof Map ? (input.runs as ReadonlyMap<string, Run>) : new Map([...(input.runs as Iterable<Run>)].map((r) => [r.runId, r]));
  const watched = watchedJobs(sensor, input.definitionsJobNames);
  const pending = records.filter((r) => r.storageId > cursor.storageId).sort((a, b) => a.storageId - b.storageId);
  const events: RunStatusBatchEvent[] = [];
  let last = cursor.storageId;
  let skippedEvents = 0;
  const seen = new Set<number>();
  for (const record of pending) {
    if (seen.has(record.storageId)) continue;
    seen.add(record.storageId);
    last = record.storageId;
    const run = runs.get(record.entry.runId);
    if (run === undefined || (watched !== null && !watched.has(run.jobName))) {
      skippedEvents += 1;
      continue;
    }
    events.push({ record, run });
  }
  return { kind: "batch", cursor: formatRunStatusCursor({ storageId: last }), events, skippedEvents };
}

/** The job names watched, or `null` for every job. */
function watchedJobs(sensor: RunStatusBatchSensor, definitionsJobNames: RunStatusBatchInput["definitionsJobNames"]): ReadonlySet<string> | null {
  if (sensor.monitorAllJobs) return null;
  if (sensor.monitoredJobNames !== null) return new Set(sensor.monitoredJobNames);
  if (definitionsJobNames === undefined || definitionsJobNames === null) return null;
  return new Set(definitionsJobNames);
}
