import { describe, expect, it } from "vitest";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { sensor } from "../../src/definitions/sensor.js";
import { SkipReason } from "../../src/definitions/skip-reason.js";
import { defs, noopJob, setup } from "./fixtures.js";

const skipping = (name: string, defaultStatus: DefaultSensorStatus) =>
  sensor({ name, job: noopJob, minimumIntervalSeconds: 10, defaultStatus }, () => new SkipReason("nothing"));

describe("Daemon sensor status", () => {
  it("runs default-RUNNING sensors, stores their state once, and leaves default-STOPPED ones alone", async () => {
    await using t = await setup(defs([skipping("on", DefaultSensorStatus.RUNNING), skipping("off", DefaultSensorStatus.STOPPED)]));
    await t.daemon.runIteration();
    expect(await t.instance.getTicks("on")).toHaveLength(1);
    expect(await t.instance.getTicks("off")).toHaveLength(0);
    expect(await t.instance.getSensorState("on")).toMatchObject({ status: "RUNNING", statusSource: "default" });
    expect(await t.instance.getSensorState("off")).toBeNull();
  });

  it("picks up a start and a stop without a restart, and the user's choice wins over the code's default", async () => {
    await using t = await setup(defs([skipping("on", DefaultSensorStatus.RUNNING), skipping("off", DefaultSensorStatus.STOPPED)]));
    await t.instance.startSensor("off");
    await t.instance.stopSensor("on");
    await t.daemon.runIteration();
    expect(await t.instance.getTicks("on")).toHaveLength(0);
    expect(await t.instance.getTicks("off")).toHaveLength(1);
    await t.instance.stopSensor("off");
    t.clock.advance(10_000);
    await t.daemon.runIteration();
    expect(await t.instance.getTicks("off")).toHaveLength(1);
    await t.instance.startSensor("on");
    await t.daemon.runIteration();
    expect(await t.instance.getTicks("on")).toHaveLength(1);
  });

  it("makes a state stored with source default follow the code when its defaultStatus changes", async () => {
    await using t = await setup(defs([skipping("s", DefaultSensorStatus.STOPPED)]));
    await t.instance.setCursor("s", "c", { defaultStatus: "RUNNING" });
    await t.daemon.runIteration();
    expect(await t.instance.getSensorState("s")).toMatchObject({ status: "STOPPED", statusSource: "default", cursor: "c" });
    expect(await t.instance.getTicks("s")).toHaveLength(0);
  });

  it("skips run keys it has already used, across ticks and within a tick, and a key taken by a hand-made run", async () => {
    let keys = ["a", "b", "a"];
    const s = sensor({ name: "s", job: noopJob, minimumIntervalSeconds: 1, defaultStatus: DefaultSensorStatus.RUNNING }, () =>
      keys.map((runKey) => new RunRequest({ runKey })),
    );
    await using t = await setup(defs([s]));
    await t.daemon.runIteration();
    expect((await t.runsOf("s")).map((r) => r.tags["vigil/run_key"])).toEqual(["a", "b"]);
    keys = ["a", "b"];
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    const [skipped] = await t.instance.getTicks("s", { limit: 1 });
    expect(skipped).toMatchObject({ status: "SKIPPED", runIds: [], runKeys: ["a", "b"], dedupedRunKeys: ["a", "b"] });
    await t.instance.storage.addRun({ runId: "manual", jobName: "noop_job", status: "CANCELED", tags: { "vigil/sensor_name": "s", "vigil/run_key": "c" }, runConfig: {}, createdAt: 1 });
    keys = ["c", "d"];
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    const [last] = await t.instance.getTicks("s", { limit: 1 });
    expect(last).toMatchObject({ status: "SUCCESS", runKeys: ["c", "d"], dedupedRunKeys: ["c"] });
    expect(await t.instance.getRuns({ tags: { "vigil/run_key": "c" } })).toHaveLength(1);
  });
});
