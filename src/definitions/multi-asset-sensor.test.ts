import { describe, expect, it } from "vitest";
import { TestInstance } from "../../test/support/test-instance.js";
import { job } from "./job.js";
import { multiAssetSensor } from "./multi-asset-sensor.js";
import type { MultiAssetSensorEvaluationContext } from "./multi-asset-sensor-context.js";
import { op } from "./op.js";
import { RunRequest } from "./run-request.js";
import { buildSensorContext } from "./sensor-context.js";
import { SensorResult } from "./sensor-result.js";
import { SkipReason } from "./skip-reason.js";

const noop = op({ name: "noop" }, () => 1);
const myJob = job({ name: "my_job" }, () => noop());

/** Requests a run once both a and b/c have unconsumed materializations. */
const bothSensor = multiAssetSensor({ name: "both", monitoredAssets: ["a", "b/c"], job: myJob }, async (context) => {
  const latest = await context.latestMaterializationRecordsByKey();
  if (latest["a"] === null || latest["b/c"] === null) return new SkipReason("waiting for a and b/c");
  context.advanceCursor({ a: latest["a"], "b/c": latest["b/c"] });
  return new RunRequest();
});

describe("multiAssetSensor", () => {
  it("counts the latest earlier materialization as new on a first start", async () => {
    await using instance = await TestInstance.create();
    await instance.materialize("a");
    const a2 = await instance.materialize("a");
    const bc = await instance.materialize("b/c");
    const evaluation = await bothSensor.evaluate(buildSensorContext({ instance }));
    expect(evaluation.runRequests).toHaveLength(1);
    expect(JSON.parse(evaluation.cursor!)).toEqual({ a: a2.storageId, "b/c": bc.storageId });
  });

  it("waits until every key has a new materialization, remembering the start point", async () => {
    await using instance = await TestInstance.create();
    const context = buildSensorContext({ instance });
    const first = await bothSensor.evaluate(context);
    expect(first.skipReason?.message).toBe("waiting for a and b/c");
    expect(JSON.parse(first.cursor!)).toEqual({ a: -1, "b/c": -1 });
    await instance.materialize("a");
    expect((await bothSensor.evaluate(context)).skipReason?.message).toBe("waiting for a and b/c");
    await instance.materialize("b/c");
    expect((await bothSensor.evaluate(context)).runRequests).toHaveLength(1);
    expect((await bothSensor.evaluate(context)).skipReason?.message).toBe("waiting for a and b/c");
  });

  it("reads unconsumed records of a key, oldest first", async () => {
    await using instance = await TestInstance.create();
    let seen: number[] = [];
    const s = multiAssetSensor({ name: "reader", monitoredAssets: ["a"] }, async (context) => {
      seen = (await context.materializationRecordsForKey("a", 2)).map((r) => r.storageId);
    });
    const r1 = await instance.materialize("a");
    const r2 = await instance.materialize("a");
    const r3 = await instance.materialize("a");
    await s.evaluate(buildSensorContext({ instance, cursor: JSON.stringify({ a: r1.storageId }) }));
    expect(seen).toEqual([r2.storageId, r3.storageId]);
  });

  it("advances every key with advanceAllCursors", async () => {
    await using instance = await TestInstance.create();
    const a = await instance.materialize("a");
    const bc = await instance.materialize("b/c");
    const s = multiAssetSensor({ name: "all", monitoredAssets: ["a", "b/c"], job: myJob }, (context) => {
      void context.advanceAllCursors();
      return new RunRequest();
    });
    const evaluation = await s.evaluate(buildSensorContext({ instance }));
    expect(JSON.parse(evaluation.cursor!)).toEqual({ a: a.storageId, "b/c": bc.storageId });
  });

  it("rejects requesting runs without advancing the cursor", async () => {
    await using instance = await TestInstance.create();
    const s = multiAssetSensor({ name: "forgetful", monitoredAssets: ["a"], job: myJob }, () => new RunRequest());
    await expect(s.evaluate(buildSensorContext({ instance }))).rejects.toThrow(
      'Error in sensor "forgetful": it requested 1 run(s) but never advanced its cursor, so the same materializations would be handled again next tick; call context.advanceCursor({ [assetKey]: record }) or context.advanceAllCursors().',
    );
  });

  it("rejects a SensorResult with a cursor", async () => {
    await using instance = await TestInstance.create();
    const s = multiAssetSensor({ name: "sets_cursor", monitoredAssets: ["a"] }, () => new SensorResult({ cursor: "x" }));
    await expect(s.evaluate(buildSensorContext({ instance }))).rejects.toThrow(
      'Error in sensor "sets_cursor": it returned a SensorResult with cursor "x"; a multi-asset sensor\'s cursor is set automatically from the materializations it consumed, so use context.advanceCursor() or context.advanceAllCursors() instead.',
    );
  });

  it("rejects keys it does not monitor, listing the monitored ones", async () => {
    await using instance = await TestInstance.create();
    const s = multiAssetSensor({ name: "strict", monitoredAssets: ["a", "b"] }, (context: MultiAssetSensorEvaluationContext) => {
      context.advanceCursor({ z: null });
    });
    await expect(s.evaluate(buildSensorContext({ instance }))).rejects.toThrow(
      'Error in sensor "strict": advanceCursor() was given asset "z", which the sensor does not monitor; monitored assets: "a", "b".',
    );
  });

  it("treats an unreadable cursor as a first start", async () => {
    await using instance = await TestInstance.create();
    const a = await instance.materialize("a");
    const bc = await instance.materialize("b/c");
    const evaluation = await bothSensor.evaluate(buildSensorContext({ instance, cursor: "12" }));
    expect(JSON.parse(evaluation.cursor!)).toEqual({ a: a.storageId, "b/c": bc.storageId });
  });

  it("rejects empty or duplicate monitoredAssets", () => {
    expect(() => multiAssetSensor({ name: "none", monitoredAssets: [] }, () => undefined)).toThrow(
      'Sensor "none" has monitoredAssets [] (array); give a non-empty array of asset keys such as ["a", "b"].',
    );
    expect(() => multiAssetSensor({ name: "dup", monitoredAssets: ["a", ["a"]] }, () => undefined)).toThrow('Sensor "dup" lists asset "a" twice in monitoredAssets; list each once.');
  });
});
