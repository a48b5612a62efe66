import { describe, expect, it } from "vitest";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { Definitions } from "../../src/definitions/definitions.js";
import { job } from "../../src/definitions/job.js";
import { multiAssetSensor } from "../../src/definitions/multi-asset-sensor.js";
import { op } from "../../src/definitions/op.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { SkipReason } from "../../src/definitions/skip-reason.js";
import { AssetMaterialization } from "../../src/model/index.js";
import { noopJob, setup } from "./fixtures.js";

const materializeA = op({ name: "materialize_a" }, (context) => context.logEvent(new AssetMaterialization({ assetKey: "a" })));
const materializeB = op({ name: "materialize_b" }, (context) => context.logEvent(new AssetMaterialization({ assetKey: ["b", "c"] })));
const jobA = job({ name: "job_a" }, () => materializeA());
const jobB = job({ name: "job_b" }, () => materializeB());

/** Launches one run once both monitored assets have a new materialization, then consumes both. */
const bothUpdated = multiAssetSensor(
  { name: "both_updated", monitoredAssets: ["a", "b/c"], job: noopJob, minimumIntervalSeconds: 1, defaultStatus: DefaultSensorStatus.RUNNING },
  async (context) => {
    const latest = await context.latestMaterializationRecordsByKey();
    if (latest["a"] == null || latest["b/c"] == null) return new SkipReason("waiting for both a and b/c");
    context.advanceAllCursors();
    return new RunRequest({ runKey: `${latest["a"].storageId}-${latest["b/c"].storageId}` });
  },
);

describe("Daemon with a multi-asset sensor", () => {
  it("requests a run only when every monitored asset has a new materialization, committing its managed cursor with the tick", async () => {
    await using t = await setup(new Definitions({ jobs: [noopJob, jobA, jobB], sensors: [bothUpdated] }));
    const tick = async () => {
      t.clock.advance(1_000);
      await t.daemon.runIteration();
      return (await t.instance.getTicks("both_updated", { limit: 1 }))[0];
    };
    expect((await tick())?.skipReason).toBe("waiting for both a and b/c");
    await jobA.executeInProcess({ instance: t.instance });
    expect((await tick())?.status).toBe("SKIPPED");
    await jobB.executeInProcess({ instance: t.instance });
    const fired = await tick();
    expect(fired?.status).toBe("SUCCESS");
    expect(fired?.runIds).toHaveLength(1);
    const cursor = (await t.instance.getSensorState("both_updated"))?.cursor ?? "{}";
    expect(fired?.cursor).toBe(cursor);
    const [a] = await t.instance.getEventRecords({ eventType: "ASSET_MATERIALIZATION", assetKey: "a", limit: 1 });
    const [bc] = await t.instance.getEventRecords({ eventType: "ASSET_MATERIALIZATION", assetKey: "b/c", limit: 1 });
    expect(JSON.parse(cursor)).toMatchObject({ a: a?.storageId, "b/c": bc?.storageId });
    // Both consumed: nothing new until both are materialized again.
    await jobA.executeInProcess({ instance: t.instance });
    expect((await tick())?.status).toBe("SKIPPED");
    await jobB.executeInProcess({ instance: t.instance });
    expect((await tick())?.status).toBe("SUCCESS");
    expect(await t.runsOf("both_updated")).toHaveLength(2);
  });

  it("fails the tick and keeps the cursor when runs are requested without advancing it", async () => {
    const forgetful = multiAssetSensor(
      { name: "forgetful", monitoredAssets: ["a"], job: noopJob, minimumIntervalSeconds: 1, defaultStatus: DefaultSensorStatus.RUNNING },
      async (context) => ((await context.latestMaterializationRecordsByKey())["a"] ? new RunRequest({ runKey: "x" }) : new SkipReason("none")),
    );
    await using t = await setup(new Definitions({ jobs: [noopJob, jobA], sensors: [forgetful] }));
    await jobA.executeInProcess({ instance: t.instance });
    await t.daemon.runIteration();
    const [tick] = await t.instance.getTicks("forgetful", { limit: 1 });
    expect(tick?.status).toBe("FAILURE");
    expect(tick?.error?.message).toContain("forgetful");
    expect(await t.runsOf("forgetful")).toHaveLength(0);
    expect((await t.instance.getSensorState("forgetful"))?.cursor ?? null).toBe(tick?.cursorBefore ?? null);
  });
});
