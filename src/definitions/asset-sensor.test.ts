import { describe, expect, it } from "vitest";
import { TestInstance } from "../../test/support/test-instance.js";
import { EventType } from "../model/index.js";
import { assetSensor } from "./asset-sensor.js";
import { job } from "./job.js";
import { op } from "./op.js";
import { RunRequest } from "./run-request.js";
import { buildSensorContext } from "./sensor-context.js";
import { SensorResult } from "./sensor-result.js";
import { SkipReason } from "./skip-reason.js";

const noop = op({ name: "noop" }, () => 1);
const myJob = job({ name: "my_job" }, () => noop());

function sensor(fn: Parameters<typeof assetSensor>[1] = (context) => new RunRequest({ runKey: context.cursor! })) {
  return assetSensor({ name: "my_asset_sensor", assetKey: "my_table", job: myJob }, fn);
}

describe("assetSensor", () => {
  it("skips naming the key when there is no new materialization", async () => {
    await using instance = await TestInstance.create();
    const s = sensor();
    await instance.materialize("other_table");
    const evaluation = await s.evaluate(buildSensorContext({ instance }));
    expect(evaluation).toEqual({ runRequests: [], skipReason: new SkipReason('No new materialization events found for asset key "my_table".'), cursor: null });
  });

  it("handles the newest materialization after the cursor, with context.cursor already its storage id", async () => {
    await using instance = await TestInstance.create();
    const s = sensor();
    await instance.materialize("my_table");
    const newest = await instance.materialize("my_table");
    const context = buildSensorContext({ instance });
    const evaluation = await s.evaluate(context);
    expect(evaluation.cursor).toBe(String(newest.storageId));
    expect(evaluation.runRequests.map((r) => [r.runKey, r.jobName, r.tags?.["vigil/sensor_name"]])).toEqual([[String(newest.storageId), "my_job", "my_asset_sensor"]]);
    expect(instance.queries.at(-1)).toMatchObject({ eventType: EventType.ASSET_MATERIALIZATION, limit: 1 });
    // Nothing new since: skip, cursor unchanged.
    const again = await s.evaluate(context);
    expect(again.skipReason?.message).toBe('No new materialization events found for asset key "my_table".');
    expect(again.cursor).toBe(String(newest.storageId));
    expect(instance.queries.at(-1)?.afterCursor).toBe(newest.storageId);
  });

  it("passes the event log entry to the function", async () => {
    let seen: unknown;
    await using instance = await TestInstance.create();
    const s = sensor((_context, assetEvent) => {
      // The guide's asset_event.dagster_event.asset_key.path.
      seen = assetEvent.event?.assetKey?.path;
    });
    await instance.materialize("my_table");
    await s.evaluate(buildSensorContext({ instance }));
    expect(seen).toEqual(["my_table"]);
  });

  it("moves the cursor even when the function skips", async () => {
    await using instance = await TestInstance.create();
    const s = sensor(() => new SkipReason("not interested"));
    const record = await instance.materialize("my_table");
    const evaluation = await s.evaluate(buildSensorContext({ instance }));
    expect(evaluation).toEqual({ runRequests: [], skipReason: new SkipReason("not interested"), cursor: String(record.storageId) });
  });

  it("leaves the cursor where it was when the function throws", async () => {
    await using instance = await TestInstance.create();
    const s = sensor(() => {
      throw new Error("downstream down");
    });
    const first = await instance.materialize("my_table");
    const context = buildSensorContext({ instance, cursor: "0" });
    await expect(s.evaluate(context)).rejects.toThrow('Error in sensor "my_asset_sensor": downstream down');
    expect(context.cursor).toBe("0");
    expect(first.storageId).toBeGreaterThan(0);
  });

  it("rejects a SensorResult with a cursor", async () => {
    await using instance = await TestInstance.create();
    const s = sensor(() => new SensorResult({ cursor: "99" }));
    await instance.materialize("my_table");
    await expect(s.evaluate(buildSensorContext({ instance }))).rejects.toThrow(
      'Error in sensor "my_asset_sensor": it returned a SensorResult with cursor "99", but the cursor of an asset sensor is managed by Vigil (the storage id of the last materialization handled); leave SensorResult.cursor out.',
    );
  });

  it("rejects updateCursor from the function", async () => {
    await using instance = await TestInstance.create();
    const s = sensor((context) => context.updateCursor("5"));
    await instance.materialize("my_table");
    await expect(s.evaluate(buildSensorContext({ instance }))).rejects.toThrow(
      'Error in sensor "my_asset_sensor": it called context.updateCursor(), but the cursor of an asset sensor is managed by Vigil; remove the call.',
    );
  });

  it("treats an unreadable cursor as none", async () => {
    await using instance = await TestInstance.create();
    const s = sensor();
    const record = await instance.materialize("my_table");
    const evaluation = await s.evaluate(buildSensorContext({ instance, cursor: "not-a-number" }));
    expect(evaluation.cursor).toBe(String(record.storageId));
  });

  it("needs an instance, saying so", async () => {
    const s = sensor();
    await expect(s.evaluate()).rejects.toThrow(
      'Error in sensor "my_asset_sensor": an asset sensor reads materializations from context.instance, but its context was built without an instance; pass one, e.g. buildSensorContext({ instance: await Instance.ephemeral() }).',
    );
  });

  it("rejects an invalid asset key, naming the sensor", () => {
    expect(() => assetSensor({ name: "bad_key", assetKey: "" }, () => undefined)).toThrow(
      'Sensor "bad_key" has assetKey "" (string), which is not an asset key; give a string such as "my_table", a path array or an AssetKey.',
    );
  });
});
