import { EventType, RunTag, type EventLogRecord, type Run, type RunQueueInfo } from "../model/index.js";
import type { RunDetail, RunSummary, StepTiming } from "./api-types.js";

/** A run with its duration and launching sensor. */
export function summarizeRun(run: Run): RunSummary {
  const start = run.startedAt ?? run.createdAt;
  return { ...run, durationMs: run.endedAt === null ? null : run.endedAt - start, sensorName: run.tags[RunTag.SENSOR_NAME] ?? null };
}

/** Step timings and the failure message, from a run's whole event log; `queueInfo` as `getRunQueueInfo` gave it. */
export function runDetail(run: Run, events: readonly EventLogRecord[], queueInfo: RunQueueInfo | null): RunDetail {
  const steps = new Map<string, StepTiming>();
  let failure: RunDetail["failure"] = null;
  for (const { entry } of events) {
    const type = entry.event?.eventType;
    const key = entry.stepKey;
    if (key !== undefined && type === EventType.STEP_START) {
      steps.set(key, { stepKey: key, status: "STARTED", startedAt: entry.timestamp, endedAt: null, durationMs: null });
    } else if (key !== undefined && (type === EventType.STEP_SUCCESS || type === EventType.STEP_FAILURE)) {
      const step = steps.get(key) ?? { stepKey: key, status: "STARTED", startedAt: null, endedAt: null, durationMs: null };
      step.status = type === EventType.STEP_SUCCESS ? "SUCCESS" : "FAILURE";
      step.endedAt = entry.timestamp;
      step.durationMs = entry.event?.durationMs ?? (step.startedAt === null ? null : entry.timestamp - step.startedAt);
      steps.set(key, step);
    }
    if ((type === EventType.STEP_FAILURE && failure === null) || type === EventType.RUN_FAILURE) {
      const error = entry.event?.error;
      if (failure === null || error !== undefined) failure = { message: error?.message ?? entry.message, stack: error?.stack ?? null };
    }
  }
  return { run: summarizeRun(run), steps: [...steps.values()], failure, queueInfo };
}
