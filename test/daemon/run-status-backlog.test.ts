// A run status backlog that takes longer than the sensor's timeout to handle is worked through
// tick after tick, each committing its cursor up to the last event it handled, and each following
// the previous at once (not after the interval): every failure is alerted exactly once. Before,
// one evaluation tried to handle everything, was cut off at the timeout with its cursor unstored,
// and the next tick sent the same first alerts again, forever.
import { describe, expect, it } from "vitest";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { RUN_STATUS_BATCH_LIMIT, runFailureSensor } from "../../src/definitions/run-status-sensor.js";
import { EventType, RunStatus } from "../../src/model/index.js";
import type { Instance } from "../../src/instance/instance.js";
import { defs, noopJob, setup } from "./fixtures.js";

/** Stores `count` failed runs of noop_job at once (as a night of failures would leave them). */
async function failRuns(instance: Instance, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `failed-${String(i).padStart(5, "0")}`);
  for (const runId of ids) await instance.storage.addRun({ runId, jobName: noopJob.name, status: RunStatus.NOT_STARTED, tags: {}, runConfig: {}, createdAt: Date.now() });
  for (let i = 0; i < ids.length; i += 500) {
    await instance.storage.storeEvents(
      ids.slice(i, i + 500).flatMap((runId) => [
        { runId, jobName: noopJob.name, timestamp: Date.now(), level: "DEBUG" as const, message: "start", event: { eventType: EventType.RUN_START, runStatus: RunStatus.STARTED } },
        { runId, jobName: noopJob.name, timestamp: Date.now(), level: "ERROR" as const, message: "boom", event: { eventType: EventType.RUN_FAILURE, runStatus: RunStatus.FAILURE } },
      ]),
    );
  }
  return ids;
}

describe("run status sensor backlogs", () => {
  it("alerts every failure of a backlog longer than the timeout exactly once, tick after tick, without waiting for the interval", { timeout: 60_000 }, async () => {
    const alerted: string[] = [];
    // A rate-limited alert: 20 ms each; 1 s timeout, so a tick may spend 0.5 s handling events.
    const onFailure = runFailureSensor({ name: "slow_alerts", defaultStatus: DefaultSensorStatus.RUNNING, minimumIntervalSeconds: 3600, timeoutSeconds: 1 }, async (context) => {
      await new Promise((r) => setTimeout(r, 20));
      alerted.push(context.run.runId);
    });
    await using t = await setup(defs([onFailure]));
    await t.daemon.runIteration(); // starts from now
    const ids = await failRuns(t.instance, 120);
    t.clock.advance(3_600_000);
    let ticks = 0;
    // The clock moves no further: only a backlog makes the sensor due again within its hour.
    while (alerted.length < ids.length && ticks < 40) {
      await t.daemon.runIteration();
      ticks++;
    }
    expect(alerted).toEqual(ids);
    expect(ticks).toBeGreaterThan(2);
    const all = await t.instance.getTicks("slow_alerts");
    expect(all.filter((x) => x.status === "FAILURE")).toEqual([]);
    // Once the backlog is gone, the interval applies again.
    await t.daemon.runIteration();
    expect(await t.instance.getTicks("slow_alerts")).toHaveLength(all.length);
  });

  it(`handles more than ${RUN_STATUS_BATCH_LIMIT} pending events in batches, each run fetched once per batch`, { timeout: 60_000 }, async () => {
    const alerted: string[] = [];
    const onFailure = runFailureSensor({ name: "alerts", defaultStatus: DefaultSensorStatus.RUNNING, minimumIntervalSeconds: 3600 }, (context) => {
      alerted.push(context.run.runId);
    });
    await using t = await setup(defs([onFailure]));
    await t.daemon.runIteration();
    const ids = await failRuns(t.instance, RUN_STATUS_BATCH_LIMIT + 150);
    t.clock.advance(3_600_000);
    await t.daemon.runIteration();
    expect(alerted).toHaveLength(RUN_STATUS_BATCH_LIMIT);
    await t.daemon.runIteration();
    expect(alerted).toEqual(ids);
    const [last] = await t.instance.getTicks("alerts", { limit: 1 });
    expect(last?.status).toBe("SUCCESS");
  });
});
