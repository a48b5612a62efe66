import { describe, expect, it } from "vitest";
import { assetSensor } from "../../src/definitions/asset-sensor.js";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { Definitions } from "../../src/definitions/definitions.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { runFailureSensor } from "../../src/definitions/run-status-sensor.js";
import { AssetMaterialization } from "../../src/model/index.js";
import { noopJob, setup } from "./fixtures.js";

const RUNNING = DefaultSensorStatus.RUNNING;

const materialize = op({ name: "materialize" }, (context) => {
  context.logEvent(new AssetMaterialization({ assetKey: "my_table" }));
});
const materializeJob = job({ name: "materialize_job" }, () => {
  materialize();
});
const explode = op({ name: "explode" }, () => {
  throw new Error("kaboom");
});
const failingJob = job({ name: "failing_job" }, () => {
  explode();
});

describe("Daemon with asset and run status sensors", () => {
  it("fires an asset sensor once per new materialization, its managed cursor committed with the tick", async () => {
    const onTable = assetSensor({ name: "on_table", assetKey: "my_table", job: noopJob, defaultStatus: RUNNING, minimumIntervalSeconds: 1 }, (context) =>
      new RunRequest({ runKey: context.cursor ?? "none" }),
    );
    await using t = await setup(new Definitions({ jobs: [noopJob, materializeJob], sensors: [onTable] }));
    await t.daemon.runIteration();
    expect((await t.instance.getTicks("on_table"))[0]?.status).toBe("SKIPPED");
    await materializeJob.executeInProcess({ instance: t.instance });
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    const ticks = await t.instance.getTicks("on_table");
    expect(ticks.map((x) => x.status)).toEqual(["SKIPPED", "SUCCESS", "SKIPPED"]);
    const [latest] = await t.instance.getEventRecords({ eventType: "ASSET_MATERIALIZATION", limit: 1 });
    expect((await t.runsOf("on_table")).map((r) => r.tags["vigil/run_key"])).toEqual([String(latest?.storageId)]);
    expect((await t.instance.getSensorState("on_table"))?.cursor).toBe(String(latest?.storageId));
  });

  it("fires a run failure sensor once per failed run, not for failures before its first tick", async () => {
    const seen: string[] = [];
    const onFailure = runFailureSensor({ name: "on_failure", defaultStatus: RUNNING, minimumIntervalSeconds: 1 }, (context) => {
      seen.push(context.run.runId);
    });
    await using t = await setup(new Definitions({ jobs: [noopJob, failingJob], sensors: [onFailure] }));
    const before = await failingJob.executeInProcess({ instance: t.instance, raiseOnError: false } as never).catch(() => null);
    await t.daemon.runIteration();
    expect((await t.instance.getTicks("on_failure"))[0]?.skipReason).toMatch(/^Initiating on_failure/);
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await failingJob.executeInProcess({ instance: t.instance, raiseOnError: false } as never).catch(() => null);
      if (result !== null) runIds.push(result.run.runId);
    }
    const failed = (await t.instance.getRuns({ jobName: "failing_job", statuses: ["FAILURE"] })).map((r) => r.runId).reverse();
    expect(failed).toHaveLength(4);
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    expect(seen).toEqual(failed.slice(1));
    expect(before === null || !seen.includes(before.run.runId)).toBe(true);
    expect((await t.instance.getTicks("on_failure")).map((x) => x.status)).toEqual(["SKIPPED", "SUCCESS", "SKIPPED"]);
  });

  it("commits a run status sensor's cursor even when a handler throws, failing the tick naming the run", async () => {
    let calls = 0;
    const onFailure = runFailureSensor({ name: "on_failure", defaultStatus: RUNNING, minimumIntervalSeconds: 1 }, () => {
      calls += 1;
      throw new Error("alert service down");
    });
    await using t = await setup(new Definitions({ jobs: [noopJob, failingJob], sensors: [onFailure] }));
    await t.daemon.runIteration();
    await failingJob.executeInProcess({ instance: t.instance, raiseOnError: false } as never).catch(() => null);
    const [run] = await t.instance.getRuns({ jobName: "failing_job" });
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    const [tick] = await t.instance.getTicks("on_failure");
    expect(tick?.status).toBe("FAILURE");
    expect(tick?.error?.message).toContain(`run "${run?.runId}"`);
    expect((await t.instance.getSensorState("on_failure"))?.cursor).toBe(tick?.cursor);
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    expect(calls).toBe(1);
  });
});

describe("Daemon.start event-driven wakeups", () => {
  it("evaluates an asset sensor as soon as a materialization is stored, not at the next loop interval", async () => {
    const onTable = assetSensor({ name: "on_table", assetKey: "my_table", job: noopJob, defaultStatus: RUNNING, minimumIntervalSeconds: 1 }, (context) =>
      new RunRequest({ runKey: context.cursor ?? "none" }),
    );
    await using t = await setup(new Definitions({ jobs: [noopJob, materializeJob], sensors: [onTable] }), { loopIntervalMs: 600_000, wakePollMs: 20 });
    t.daemon.start();
    const waitFor = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
    };
    await waitFor(async () => (await t.instance.getTicks("on_table")).length === 1);
    t.clock.advance(1_000);
    await materializeJob.executeInProcess({ instance: t.instance });
    await waitFor(async () => (await t.instance.getTicks("on_table", { statuses: ["SUCCESS"] })).length === 1);
    expect(await t.instance.getTicks("on_table", { statuses: ["SUCCESS"] })).toHaveLength(1);
    expect(await t.runsOf("on_table")).toHaveLength(1);
  });
});
