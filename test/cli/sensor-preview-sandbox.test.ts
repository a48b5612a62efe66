// `vigil sensor preview` runs the sensor the way a tick does: in a worker thread that loads the
// definitions file, killed at the sensor's timeout — which starts once the module has loaded —
// and it marks run keys the sensor has already used. Before, a sensor stuck in a synchronous loop
// hung the command forever.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance } from "../../src/instance/index.js";
import { json, makeProject, type Project } from "./support.js";

const DEFS = `import { Definitions, RunRequest, job, op, sensor } from "vigil";
// A slow module: the preview's timeout must not count this.
await new Promise((r) => setTimeout(r, 1500));
const noop = op({ name: "noop" }, () => 1);
export const noopJob = job({ name: "noop_job" }, () => { noop(); });
const stuck = sensor({ name: "stuck", job: noopJob, timeoutSeconds: 1 }, () => {
  for (;;) {}
});
const keys = sensor({ name: "keys", job: noopJob, timeoutSeconds: 1 }, () => [new RunRequest({ runKey: "old" }), new RunRequest({ runKey: "new" })]);
export default new Definitions({ jobs: [noopJob], sensors: [stuck, keys] });
`;

let project: Project;
beforeAll(() => {
  project = makeProject({ "defs.ts": DEFS });
});
afterAll(() => project.remove());

describe("sensor preview in a sandbox", () => {
  it("kills a sensor stuck in a synchronous loop at its timeout and exits 1 saying so", { timeout: 60_000 }, async () => {
    const result = await project.vigil(["-f", "defs.ts", "sensor", "preview", "stuck"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe('Sensor "stuck" timed out after 1 s and was killed (its worker thread was stopped and replaced); make it finish sooner or raise its timeoutSeconds.\n');
  });

  it("marks the run keys the sensor already used, after a module load longer than the timeout", { timeout: 60_000 }, async () => {
    await using instance = await Instance.open(project.home);
    await instance.storage.createRunIfNewKey(
      { runId: "r-old", jobName: "noop_job", status: "SUCCESS", tags: { "vigil/sensor_name": "keys", "vigil/run_key": "old" }, runConfig: {}, createdAt: Date.now() },
      { sensorName: "keys", runKey: "old" },
    );
    const preview = await project.vigil(["-f", "defs.ts", "--json", "sensor", "preview", "keys"]);
    expect(preview.code).toBe(0);
    expect(json<{ runRequests: { runKey: string; alreadyUsed: boolean }[] }>(preview).runRequests.map((r) => [r.runKey, r.alreadyUsed])).toEqual([
      ["old", true],
      ["new", false],
    ]);
    const table = await project.vigil(["-f", "defs.ts", "sensor", "preview", "keys"]);
    expect(table.stdout).toMatch(/^old \(already used\)\s+noop_job/m);
    expect(table.stdout).toContain("1 of them use a run key the sensor already used: the tick would create no run for those.");
  });
});
