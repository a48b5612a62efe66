import { describe, expect, it } from "vitest";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { sensor } from "../../src/definitions/sensor.js";
import { SkipReason } from "../../src/definitions/skip-reason.js";
import { RunTag } from "../../src/model/index.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { T0, defs, noopJob, setup } from "./fixtures.js";

describe("Daemon ticks", () => {
  it("ticks a running sensor no sooner than its minimum interval after the start of its previous tick", async () => {
    let calls = 0;
    const s = sensor({ name: "s", job: noopJob, minimumIntervalSeconds: 30, defaultStatus: DefaultSensorStatus.RUNNING }, () => {
      calls += 1;
      return new SkipReason(`call ${calls}`);
    });
    await using t = await setup(defs([s]));
    await t.daemon.runIteration();
    await t.daemon.runIteration();
    t.clock.advance(29_999);
    await t.daemon.runIteration();
    expect(calls).toBe(1);
    t.clock.advance(1);
    await t.daemon.runIteration();
    expect(calls).toBe(2);
    const ticks = await t.instance.getTicks("s");
    expect(ticks.map((x) => [x.status, x.timestamp, x.skipReason])).toEqual([
      ["SKIPPED", T0 + 30_000, "call 2"],
      ["SKIPPED", T0, "call 1"],
    ]);
    expect(await t.instance.getSensorState("s")).toMatchObject({ status: "RUNNING", statusSource: "default", lastTickTimestamp: T0 + 30_000 });
  });

  it("creates queued runs tagged with the sensor, run key and tick, and launches them", async () => {
    const s = sensor({ name: "s", job: noopJob, defaultStatus: DefaultSensorStatus.RUNNING }, (context) => {
      context.updateCursor("after");
      return [new RunRequest({ runKey: "a", tags: { layer: "request" } }), new RunRequest({ runKey: "b" })];
    });
    await using t = await setup(defs([s]));
    await t.daemon.runIteration();
    const [tick] = await t.instance.getTicks("s");
    expect(tick).toMatchObject({ status: "SUCCESS", runKeys: ["a", "b"], dedupedRunKeys: [], cursorBefore: null, cursor: "after" });
    const runs = await t.runsOf("s");
    expect(runs.map((r) => r.runId)).toEqual(tick?.runIds);
    expect(runs[0]?.tags).toMatchObject({ team: "data", layer: "request", [RunTag.SENSOR_NAME]: "s", [RunTag.RUN_KEY]: "a", [RunTag.TICK_ID]: String(tick?.id) });
    // Launched by the instance's launcher, which records its worker.
    expect(runs[0]?.tags["vigil/launcher"]).toBe("in-process");
    for (const run of runs) expect((await t.instance.waitForRun(run.runId, { timeoutMs: 10_000 })).status).toBe("SUCCESS");
    expect(await t.instance.getSensorState("s")).toMatchObject({ cursor: "after", lastRunKey: "b" });
  });

  it("keeps a sensor's minimum interval across a restart: a new daemon on the same instance reads the stored tick start", async () => {
    let calls = 0;
    const s = sensor({ name: "s", job: noopJob, minimumIntervalSeconds: 30, defaultStatus: DefaultSensorStatus.RUNNING }, () => {
      calls += 1;
      return new SkipReason(`call ${calls}`);
    });
    const definitions = defs([s]);
    await using t = await setup(definitions);
    await t.daemon.runIteration();
    await t.daemon.close();
    expect(await t.instance.storage.getSensorState("s")).toMatchObject({ lastTickTimestamp: T0, lastTickStartTimestamp: T0 });
    t.clock.advance(10_000);
    await using restarted = new Daemon({ instance: t.instance, definitions, clock: t.clock, log: () => undefined });
    await restarted.runIteration();
    expect(calls).toBe(1);
    t.clock.advance(20_000);
    await restarted.runIteration();
    expect(calls).toBe(2);
    expect((await t.instance.getTicks("s")).map((x) => x.timestamp)).toEqual([T0 + 30_000, T0]);
  });
});
