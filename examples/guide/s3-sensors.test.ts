import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSensorContext, validateRunConfig } from "vigil";
import { startS3rver, type S3rverProcess } from "../../test/integrations/support/s3rver-process.js";
import { logFileJob } from "./log-file-job.js";

const ENV = {
  AWS_ENDPOINT_URL: "",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "S3RVER",
  AWS_SECRET_ACCESS_KEY: "S3RVER",
};

let s3: S3rverProcess;
let sensors: typeof import("./s3-sensors.js");
beforeAll(async () => {
  s3 = await startS3rver();
  // The examples use the default client, configured from the environment as in production.
  Object.assign(process.env, { ...ENV, AWS_ENDPOINT_URL: s3.endpoint });
  await s3.createBucket("my_s3_bucket", ["incoming/2026-01-01.csv", "incoming/2026-01-02.csv", "archive/2025-12-31.csv"]);
  sensors = await import("./s3-sensors.js");
});
afterAll(async () => {
  for (const name of Object.keys(ENV)) delete process.env[name];
  await s3?.close();
});

describe("guide: S3 sensors", () => {
  it("requests a run per key after the last run key, and skips when there is none", async () => {
    const first = await sensors.myS3Sensor.evaluate(buildSensorContext());
    expect(first.runRequests.map((r) => [r.runKey, r.jobName])).toEqual([
      ["archive/2025-12-31.csv", "my_job"],
      ["incoming/2026-01-01.csv", "my_job"],
      ["incoming/2026-01-02.csv", "my_job"],
    ]);

    const none = await sensors.myS3Sensor.evaluate(buildSensorContext({ lastRunKey: "incoming/2026-01-02.csv" }));
    expect(none.skipReason?.message).toBe("No new s3 files found for bucket my_s3_bucket.");

    await s3.putKeys("my_s3_bucket", ["incoming/2026-01-03.csv"]);
    const later = await sensors.myS3Sensor.evaluate(buildSensorContext({ lastRunKey: "incoming/2026-01-02.csv" }));
    expect(later.runRequests.map((r) => r.runKey)).toEqual(["incoming/2026-01-03.csv"]);
  });

  it("launches log_file_job per key under incoming/ with s3Sensor, the key as filename", async () => {
    const { runRequests, cursor } = await sensors.myS3FilesSensor.evaluate(buildSensorContext());
    expect(runRequests.map((r) => r.runKey)).toEqual(["incoming/2026-01-01.csv", "incoming/2026-01-02.csv", "incoming/2026-01-03.csv"]);
    expect(runRequests[0]!.runConfig).toEqual({ ops: { process_file: { config: { filename: "incoming/2026-01-01.csv" } } } });
    for (const request of runRequests) expect(validateRunConfig(logFileJob, request.runConfig)).toBeTruthy();
    expect(cursor).toBe("incoming/2026-01-03.csv");

    const next = await sensors.myS3FilesSensor.evaluate(buildSensorContext({ cursor }));
    expect(next.skipReason?.message).toBe('No new keys in S3 bucket "my_s3_bucket" under prefix "incoming/" after "incoming/2026-01-03.csv".');
  });
});
