import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DefaultSensorStatus, SkipReason, buildSensorContext, validateRunConfig } from "vigil";
import { logFileJob } from "./log-file-job.js";
import { myDirectorySensor, myRunningSensor } from "./directory-sensor.js";
import { myDirectorySensorCursor } from "./cursor-sensor.js";
import { myDirectorySensorWithSkipReasons } from "./skip-reasons.js";
import { sensorA, sensorB } from "./intervals.js";
import { sensorToTest } from "./sensor-to-test.js";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-guide-"));
  process.env.MY_DIRECTORY = dir;
});
afterEach(() => {
  delete process.env.MY_DIRECTORY;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("directory sensor", () => {
  it("requests one run per file, keyed by filename, with valid run config", async () => {
    fs.writeFileSync(path.join(dir, "a.csv"), "1");
    fs.writeFileSync(path.join(dir, "b.csv"), "2");
    fs.mkdirSync(path.join(dir, "subdir"));
    const { runRequests, skipReason } = await myDirectorySensor.evaluate();
    expect(skipReason).toBeUndefined();
    expect(runRequests.map((r) => r.runKey).sort()).toEqual(["a.csv", "b.csv"]);
    for (const request of runRequests) {
      expect(request.jobName).toBe("log_file_job");
      expect(request.tags).toEqual({ "vigil/sensor_name": "my_directory_sensor" });
      expect(validateRunConfig(logFileJob, request.runConfig)).toBeTruthy();
    }
  });

  it("runs by default when its default status says so", () => {
    expect(myRunningSensor.defaultStatus).toBe(DefaultSensorStatus.RUNNING);
    expect(myDirectorySensor.defaultStatus).toBe(DefaultSensorStatus.STOPPED);
    expect(myDirectorySensor.minimumIntervalSeconds).toBe(30);
  });
});

describe("cursor sensor", () => {
  it("requests only files modified after the cursor and moves the cursor to the newest mtime", async () => {
    const old = path.join(dir, "old.csv");
    const fresh = path.join(dir, "new.csv");
    fs.writeFileSync(old, "1");
    fs.writeFileSync(fresh, "2");
    fs.utimesSync(old, new Date(1_000_000), new Date(1_000_000));
    fs.utimesSync(fresh, new Date(2_000_000), new Date(2_000_000));
    const context = buildSensorContext({ cursor: "1500000" });
    const evaluation = await myDirectorySensorCursor.evaluate(context);
    expect(evaluation.runRequests.map((r) => r.runKey)).toEqual(["new.csv:2000000"]);
    expect(evaluation.cursor).toBe("2000000");
    // Evaluated again from the new cursor: nothing new.
    const again = await myDirectorySensorCursor.evaluate(buildSensorContext({ cursor: evaluation.cursor }));
    expect(again.runRequests).toEqual([]);
  });

  it("is tested as the guide does, with buildSensorContext and validateRunConfig", async () => {
    fs.writeFileSync(path.join(dir, "foo.csv"), "1");
    const context = buildSensorContext({ cursor: "0" });
    for (const runRequest of (await myDirectorySensorCursor.evaluate(context)).runRequests) {
      expect(validateRunConfig(logFileJob, runRequest.runConfig)).toBeTruthy();
    }
  });
});

describe("skip reasons", () => {
  it("skips naming the directory when it has no files", async () => {
    expect(await myDirectorySensorWithSkipReasons.evaluate()).toEqual({ runRequests: [], skipReason: new SkipReason(`No files found in ${dir}.`), cursor: null });
  });

  it("requests runs when it has files", async () => {
    fs.writeFileSync(path.join(dir, "x.csv"), "1");
    expect((await myDirectorySensorWithSkipReasons.evaluate()).runRequests.map((r) => r.runKey)).toEqual(["x.csv"]);
  });
});

describe("intervals", () => {
  it("keeps each sensor's minimum interval", async () => {
    expect([sensorA.minimumIntervalSeconds, sensorB.minimumIntervalSeconds]).toEqual([30, 45]);
    expect((await sensorA.evaluate()).runRequests.map((r) => [r.runKey, r.jobName])).toEqual([[undefined, "my_job"]]);
  });
});

describe("testing sensors", () => {
  it("validates every run request of a sensor without a context", async () => {
    const { runRequests } = await sensorToTest.evaluate();
    expect(runRequests).toHaveLength(1);
    for (const runRequest of runRequests) {
      expect(validateRunConfig(logFileJob, runRequest.runConfig)).toEqual({ ops: { process_file: { config: { filename: "foo" } } }, resources: {} });
    }
  });
});
