import { describe, expect, it } from "vitest";
import { Instance } from "../../src/instance/index.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { RunRequest } from "../../src/definitions/run-request.js";

const noop = op({ name: "noop" }, () => 1);

describe("tags under vigil/ are Vigil's", () => {
  it("refuses a job tag under vigil/ at definition time, naming the job and the tag", () => {
    expect(() => job({ name: "etl", tags: { "vigil/worker_pid": "1" } }, () => { noop(); })).toThrow(
      'Job "etl" sets tag "vigil/worker_pid", but tags under "vigil/" are written by Vigil itself (only "vigil/max_retries" may be set); rename the tag.',
    );
    expect(job({ name: "etl", tags: { "vigil/max_retries": "3", team: "data" } }, () => { noop(); }).tags).toEqual({ "vigil/max_retries": "3", team: "data" });
  });

  it("refuses a RunRequest or an executeInProcess tag under vigil/, and writes no run", async () => {
    expect(() => new RunRequest({ tags: { "vigil/sensor_name": "other" } })).toThrow('RunRequest sets tag "vigil/sensor_name"');
    await using instance = await Instance.ephemeral();
    const etl = job({ name: "etl" }, () => { noop(); });
    await expect(etl.executeInProcess({ instance, tags: { "vigil/run_key": "x" } })).rejects.toThrow(
      'executeInProcess() of job "etl" sets tag "vigil/run_key", but tags under "vigil/" are written by Vigil itself',
    );
    expect(await instance.getRuns()).toEqual([]);
  });
});
