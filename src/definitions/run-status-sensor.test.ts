import { describe, expect, it } from "vitest";
import { TestInstance } from "../../test/support/test-instance.js";
import { EventType, RunStatus, type EventLogRecord, type Run } from "../model/index.js";
import { job } from "./job.js";
import { op } from "./op.js";
import { resolvedRunRequest, RunRequest } from "./run-request.js";
import { formatRunStatusCursor, parseRunStatusCursor, planRunStatusBatch } from "./run-status-batch.js";
import { buildRunStatusSensorContext } from "./run-status-sensor-context.js";
import { runFailureSensor, runStatusSensor, runRunStatusHandlers } from "./run-status-sensor.js";
import { buildSensorContext } from "./sensor-context.js";
import { SensorResult } from "./sensor-result.js";

const noop = op({ name: "noop" }, () => 1);
const jobA = job({ name: "job_a" }, () => noop());
const jobB = job({ name: "job_b" }, () => noop());

describe("runStatusSensor definition", () => {
  it("maps the status to its event and the request jobs to targets", () => {
    const s = runStatusSensor({ name: "report_success", runStatus: RunStatus.SUCCESS, monitoredJobs: [jobA, "job_c"], requestJob: jobB }, () => undefined);
    expect([s.eventType, s.monitoredJobNames, s.monitorAllJobs, s.targetJobNames, s.sensorType]).toEqual([EventType.RUN_SUCCESS, ["job_a", "job_c"], false, ["job_b"], "RUN_STATUS"]);
    expect(runFailureSensor({ name: "f" }, () => undefined).runStatus).toBe(RunStatus.FAILURE);
  });

  it("rejects monitoredJobs with monitorAllJobs, and both requestJob and requestJobs", () => {
    expect(() => runStatusSensor({ name: "s", runStatus: RunStatus.SUCCESS, monitoredJobs: [jobA], monitorAllJobs: true }, () => undefined)).toThrow(
      'Sensor "s" was given both monitoredJobs and monitorAllJobs; give only one of them.',
    );
    expect(() => runStatusSensor({ name: "s", runStatus: RunStatus.SUCCESS, requestJob: jobA, requestJobs: [jobB] }, () => undefined)).toThrow(
      'Sensor "s" was given both requestJob and requestJobs; give only one of them.',
    );
  });

  it("rejects a status with no status event", () => {
    expect(() => runStatusSensor({ name: "s", runStatus: RunStatus.NOT_STARTED }, () => undefined)).toThrow(
      'Sensor "s" has runStatus "NOT_STARTED" (string); give one of: RunStatus.QUEUED, RunStatus.STARTING',
    );
  });
});

describe("evaluate with a run status context", () => {
  it("calls the function once and resolves its RunRequests to requestJob", async () => {
    await using instance = await TestInstance.create();
    await instance.addRun("r1", "job_a");
    const event = await instance.statusEvent("r1", EventType.RUN_SUCCESS);
    const run = await instance.run("r1");
    const calls: string[] = [];
    const s = runStatusSensor({ name: "chain", runStatus: RunStatus.SUCCESS, requestJob: jobB }, (context) => {
      calls.push(`${context.sensorName}:${context.run.runId}:${context.event.event?.eventType}`);
      return new RunRequest({ runKey: context.run.runId });
    });
    const evaluation = await s.evaluate(buildRunStatusSensorContext({ sensorName: "chain", instance, run, event }));
    expect(calls).toEqual(["chain:r1:RUN_SUCCESS"]);
    expect(evaluation).toEqual({
      runRequests: [resolvedRunRequest(new RunRequest({ runKey: "r1" }), "job_b", { "vigil/sensor_name": "chain" })],
      cursor: null,
    });
  });

  it("gives a failure sensor the failure event and the step failures", async () => {
    await using instance = await TestInstance.create();
    await instance.addRun("r1", "job_a");
    await instance.add({ runId: "r1", jobName: "job_a", timestamp: 1, level: "ERROR", message: "step noop failed", stepKey: "noop", event: { eventType: EventType.STEP_FAILURE } });
    const event = await instance.statusEvent("r1", EventType.RUN_FAILURE, "Run failed: boom");
    const run = await instance.run("r1");
    let seen: string[] = [];
    const s = runFailureSensor({ name: "report_failure" }, async (context) => {
      seen = [context.failureEvent.message, ...(await context.getStepFailureEvents()).map((e) => e.message)];
    });
    const context = buildRunStatusSensorContext({ sensorName: "report_failure", instance, run, event }).forRunFailure();
    const evaluation = await s.evaluate(context);
    expect(seen).toEqual(["Run failed: boom", "step noop failed"]);
    expect(evaluation.skipReason?.message).toBe("Sensor function returned an empty result");
  });

  it("refuses forRunFailure on a context holding another status event", async () => {
    await using instance = await TestInstance.create();
    await instance.addRun("r1", "job_a");
    const event = await instance.statusEvent("r1", EventType.RUN_SUCCESS);
    const run = await instance.run("r1");
    expect(() => buildRunStatusSensorContext({ sensorName: "s", instance, run, event }).forRunFailure()).toThrow(
      'forRunFailure() needs a RUN_FAILURE event, but the context of sensor "s" holds a RUN_SUCCESS event for run "r1"; build it with result.getJobFailureEvent().',
    );
  });

  it("rejects a SensorResult with a cursor and reports a throw with the user's message", async () => {
    await using instance = await TestInstance.create();
    await instance.addRun("r1", "job_a");
    // A run succeeds once: both contexts hold its one RUN_SUCCESS event.
    const event = await instance.statusEvent("r1", EventType.RUN_SUCCESS);
    const run = await instance.run("r1");
    const context = buildRunStatusSensorContext({ sensorName: "s", instance, run, event });
    await expect(runStatusSensor({ name: "s", runStatus: RunStatus.SUCCESS }, () => new SensorResult({ cursor: "1" })).evaluate(context)).rejects.toThrow(
      'Error in sensor "s": it returned a SensorResult with cursor "1", but the cursor of a run status sensor is managed by Vigil; leave SensorResult.cursor out.',
    );
    const context2 = buildRunStatusSensorContext({ sensorName: "t", instance, run, event });
    await expect(runStatusSensor({ name: "t", runStatus: RunStatus.SUCCESS }, () => { throw new Error("slack down"); }).evaluate(context2)).rejects.toThrow(
      'Error in sensor "t": slack down',
    );
  });
});

describe("planRunStatusBatch", () => {
  const sensorDef = runFailureSensor({ name: "on_fail", monitoredJobs: [jobA] }, () => undefined);

  /** Three started runs: a1 and a2 of job_a, b1 of job_b. */
  async function world(): Promise<TestInstance> {
    const instance = await TestInstance.create();
    await instance.addRun("a1", "job_a");
    await instance.addRun("b1", "job_b");
    await instance.addRun("a2", "job_a");
    return instance;
  }

  /** The stored RUN_FAILURE records, oldest first. */
  function failures(instance: TestInstance) {
    return instance.getEventRecords({ eventType: EventType.RUN_FAILURE, ascending: true });
  }

  async function runsById(instance: TestInstance): Promise<Map<string, Run>> {
    return new Map((await instance.getRuns()).map((r) => [r.runId, r]));
  }

  it("initiates from the newest event when there is no cursor, handling nothing", async () => {
    await using instance = await world();
    await instance.statusEvent("a1", EventType.RUN_FAILURE);
    const newest = await instance.statusEvent("a2", EventType.RUN_FAILURE);
    const plan = planRunStatusBatch(sensorDef, { records: await failures(instance), runs: await runsById(instance), cursor: null });
    expect(plan).toEqual({
      kind: "initiate",
      cursor: `{"storageId":${newest.storageId}}`,
      skipReason: expect.objectContaining({ message: `Initiating on_fail. Set cursor to {"storageId":${newest.storageId}}; only RUN_FAILURE events after it will be handled.` }),
      events: [],
    });
    expect(planRunStatusBatch(sensorDef, { records: [], runs: [], cursor: "garbage" }).cursor).toBe('{"storageId":-1}');
  });

  it("handles every matching event after the cursor in storage order, skipping other jobs and missing runs", async () => {
    await using instance = await world();
    const before = await instance.statusEvent("a1", EventType.RUN_FAILURE);
    // A run fails once, so each event is another run's: even ones of job_a, odd ones of job_b.
    const events: EventLogRecord[] = [];
    for (let i = 0; i < 30; i++) {
      await instance.addRun(`r${i}`, i % 2 === 0 ? "job_a" : "job_b");
      events.push(await instance.statusEvent(`r${i}`, EventType.RUN_FAILURE));
    }
    await instance.addRun("gone", "job_a");
    const ghost = await instance.statusEvent("gone", EventType.RUN_FAILURE);
    const shuffled = [...(await failures(instance))].reverse();
    // "gone" is missing from the runs read (as if deleted after its event was read).
    const runs = (await instance.getRuns()).filter((r) => r.runId !== "gone");
    const plan = planRunStatusBatch(sensorDef, { records: shuffled, runs, cursor: formatRunStatusCursor({ storageId: before.storageId }) });
    if (plan.kind !== "batch") throw new Error("expected a batch");
    expect(plan.events.map((e) => e.record.storageId)).toEqual(events.filter((_, i) => i % 2 === 0).map((r) => r.storageId));
    expect(plan.events).toHaveLength(15);
    expect(plan.skippedEvents).toBe(16);
    expect(plan.cursor).toBe(formatRunStatusCursor({ storageId: ghost.storageId }));
  });

  it("watches the jobs of its Definitions without monitoredJobs, and every job with monitorAllJobs", async () => {
    await using instance = await world();
    const cursor = formatRunStatusCursor({ storageId: 0 });
    await instance.statusEvent("a1", EventType.RUN_FAILURE);
    await instance.statusEvent("b1", EventType.RUN_FAILURE);
    const defaults = runFailureSensor({ name: "d" }, () => undefined);
    const all = runFailureSensor({ name: "all", monitorAllJobs: true }, () => undefined);
    const input = { records: await failures(instance), runs: await runsById(instance), cursor, definitionsJobNames: ["job_b"] };
    expect(planRunStatusBatch(defaults, input).events.map((e) => e.run.runId)).toEqual(["b1"]);
    expect(planRunStatusBatch(all, input).events.map((e) => e.run.runId)).toEqual(["a1", "b1"]);
  });

  it("parses only its own cursor format", () => {
    expect(parseRunStatusCursor('{"storageId":4}')).toEqual({ storageId: 4 });
    expect(parseRunStatusCursor("4")).toBeNull();
    expect(parseRunStatusCursor('{"storageId":"4"}')).toBeNull();
    expect(parseRunStatusCursor(null)).toBeNull();
  });
});

describe("run status ticks", () => {
  it("collects RunRequests, goes on after a throw, and reports each failed run while moving the cursor", async () => {
    await using instance = await TestInstance.create();
    for (const id of ["r1", "r2", "r3"]) await instance.addRun(id, "job_a");
    const s = runFailureSensor({ name: "alert", requestJob: jobB }, (context) => {
      if (context.run.runId === "r2") throw new Error("smtp refused");
      return new RunRequest({ runKey: `retry-${context.run.runId}` });
    });
    const context = buildSensorContext({ instance });
    const init = await s.evaluate(context);
    expect(init.skipReason?.message).toBe('Initiating alert. Set cursor to {"storageId":-1}; only RUN_FAILURE events after it will be handled.');
    expect(context.cursor).toBe('{"storageId":-1}');
    const records: EventLogRecord[] = [];
    for (const id of ["r1", "r2", "r3"]) records.push(await instance.statusEvent(id, EventType.RUN_FAILURE));
    const evaluation = await s.evaluate(context);
    expect(evaluation.runRequests.map((r) => [r.runKey, r.jobName])).toEqual([
      ["retry-r1", "job_b"],
      ["retry-r3", "job_b"],
    ]);
    expect(evaluation.handledRunEvents?.map((h) => [h.runId, h.error?.message ?? null])).toEqual([
      ["r1", null],
      ["r2", 'Error in sensor "alert": smtp refused'],
      ["r3", null],
    ]);
    expect(evaluation.error?.message).toBe('Error in sensor "alert": it threw while handling 1 run(s): run "r2" (job "job_a"): smtp refused.');
    expect(evaluation.error?.stack).toContain("smtp refused");
    expect(evaluation.cursor).toBe(formatRunStatusCursor({ storageId: records[2]!.storageId }));
    expect(evaluation.skipReason).toBeUndefined();
    // Not retried: the next tick has nothing to do.
    const next = await s.evaluate(context);
    expect(next.handledRunEvents).toEqual([]);
    expect(next.skipReason?.message).toBe('No new RUN_FAILURE events for runs watched by sensor "alert".');
  });

  it("handles a large backlog batch by batch, each marked as leaving a backlog until the last", async () => {
    await using instance = await TestInstance.create();
    const s = runStatusSensor({ name: "counter", runStatus: RunStatus.SUCCESS }, () => undefined);
    const runIds = Array.from({ length: 2500 }, (_, i) => `r${i}`);
    for (const id of runIds) await instance.addRun(id, "job_a", RunStatus.NOT_STARTED);
    await instance.statusEvents(runIds.flatMap((id) => [[id, EventType.RUN_START] as const, [id, EventType.RUN_SUCCESS] as const]));
    let cursor = formatRunStatusCursor({ storageId: 0 });
    const sizes: number[] = [];
    const backlogs: boolean[] = [];
    for (let tick = 0; tick < 3; tick++) {
      const evaluation = await s.evaluate(buildSensorContext({ instance, cursor }));
      expect(evaluation.error).toBeUndefined();
      sizes.push(evaluation.handledRunEvents?.length ?? 0);
      backlogs.push(evaluation.backlog === true);
      cursor = evaluation.cursor ?? cursor;
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(backlogs).toEqual([true, true, false]);
  });

  it("stops starting handlers at its time budget, moving the cursor only past what it handled", async () => {
    await using instance = await TestInstance.create();
    const seen: string[] = [];
    const s = runStatusSensor({ name: "slow", runStatus: RunStatus.SUCCESS }, async (context) => {
      await new Promise((r) => setTimeout(r, 30));
      seen.push(context.run.runId);
    });
    const runIds = Array.from({ length: 20 }, (_, i) => `r${i}`);
    for (const id of runIds) await instance.addRun(id, "job_a", RunStatus.NOT_STARTED);
    await instance.statusEvents(runIds.flatMap((id) => [[id, EventType.RUN_START] as const, [id, EventType.RUN_SUCCESS] as const]));
    const first = await s.evaluate(buildSensorContext({ instance, cursor: formatRunStatusCursor({ storageId: 0 }), timeBudgetMs: 100 }));
    expect(first.backlog).toBe(true);
    const handled = first.handledRunEvents ?? [];
    expect(handled.length).toBeGreaterThan(0);
    expect(handled.length).toBeLessThan(20);
    expect(first.cursor).toBe(formatRunStatusCursor({ storageId: handled.at(-1)?.storageId ?? -1 }));
    const rest = await s.evaluate(buildSensorContext({ instance, cursor: first.cursor }));
    expect([...seen]).toEqual(runIds);
    expect(rest.backlog).toBeUndefined();
  });

  it("runRunStatusHandlers returns the initiate skip unchanged", async () => {
    const s = runFailureSensor({ name: "x" }, () => undefined);
    const plan = planRunStatusBatch(s, { records: [], runs: [], cursor: null });
    if (plan.kind !== "initiate") throw new Error("expected initiate");
    expect(await runRunStatusHandlers(s, plan, { instance: null })).toEqual({ runRequests: [], skipReason: plan.skipReason, cursor: plan.cursor });
  });
});
