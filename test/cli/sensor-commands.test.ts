// Black-box tests of `vigil sensor ...`: the real bin, a temporary project and VIGIL_HOME.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance } from "vigil";
import { json, makeProject, TEST_DEFS, type Project } from "./support.js";

interface Row {
  name: string;
  status: string;
  statusSource: string;
  minimumIntervalSeconds: number;
  lastTickStatus: string | null;
  lastTickTimestamp: number | null;
}

describe("vigil sensor", () => {
  let project: Project;
  beforeAll(() => {
    project = makeProject({ "defs.ts": TEST_DEFS });
  });
  afterAll(() => project.remove());

  it("lists every sensor with its effective status, as a table and as JSON", async () => {
    const table = await project.vigil(["sensor", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME\s+STATUS\s+INTERVAL\s+LAST TICK\s+LAST TICK AT$/);
    expect(table.stdout).toMatch(/^counter\s+STOPPED \(default\)\s+45 s\s+-\s+-$/m);
    expect(table.stdout).toMatch(/^always_on\s+RUNNING \(default\)\s+30 s/m);
    // --json after the command, -f before it: options stand anywhere after `vigil`.
    const listed = await project.vigil(["-f", "defs.ts", "sensor", "list", "--json"]);
    expect(json<Row[]>(listed)).toEqual([
      { name: "counter", status: "STOPPED", statusSource: "default", minimumIntervalSeconds: 45, lastTickStatus: null, lastTickTimestamp: null },
      { name: "skipper", status: "STOPPED", statusSource: "default", minimumIntervalSeconds: 30, lastTickStatus: null, lastTickTimestamp: null },
      { name: "always_on", status: "RUNNING", statusSource: "default", minimumIntervalSeconds: 30, lastTickStatus: null, lastTickTimestamp: null },
      { name: "thrower", status: "STOPPED", statusSource: "default", minimumIntervalSeconds: 30, lastTickStatus: null, lastTickTimestamp: null },
    ]);
  });

  it("stores starts and stops, and list reflects them", async () => {
    const started = await project.vigil(["sensor", "start", "counter"]);
    expect(started).toMatchObject({ code: 0, stdout: "Started sensor counter.\n", stderr: "" });
    const stopped = await project.vigil(["sensor", "stop", "always_on"]);
    expect(stopped).toMatchObject({ code: 0, stdout: "Stopped sensor always_on.\n" });
    const rows = json<Row[]>(await project.vigil(["sensor", "--json", "list"]));
    expect(rows.find((r) => r.name === "counter")).toMatchObject({ status: "RUNNING", statusSource: "user" });
    expect(rows.find((r) => r.name === "always_on")).toMatchObject({ status: "STOPPED", statusSource: "user" });
    const running = await project.vigil(["sensor", "list", "--running"]);
    expect(running.stdout).toMatch(/^counter\s+RUNNING\s+45 s/m);
    expect(running.stdout).not.toMatch(/always_on/);
  });

  it("edits the stored cursor without changing whether the sensor runs", async () => {
    const set = await project.vigil(["sensor", "cursor", "skipper", "--set", "5"]);
    expect(set).toMatchObject({ code: 0, stdout: 'Set the cursor of sensor skipper to "5".\n' });
    const setOnDefault = await project.vigil(["sensor", "cursor", "thrower", "--set", "x", "--json"]);
    expect(json(setOnDefault)).toMatchObject({ name: "thrower", cursor: "x", status: "STOPPED", statusSource: "default" });
    const cleared = await project.vigil(["sensor", "cursor", "thrower", "--delete"]);
    expect(cleared).toMatchObject({ code: 0, stdout: "Cleared the cursor of sensor thrower.\n" });
    await using instance = await Instance.open(project.home);
    expect(await instance.getSensorState("skipper")).toMatchObject({ cursor: "5", status: "STOPPED", statusSource: "default" });
    expect(await instance.getSensorState("thrower")).toMatchObject({ cursor: null, status: "STOPPED", statusSource: "default" });
  });

  it("previews with the stored cursor or a given one, and stores and launches nothing", async () => {
    await project.vigil(["sensor", "cursor", "counter", "--set", "7"]);
    const preview = await project.vigil(["sensor", "preview", "counter", "--json"]);
    expect(preview.code).toBe(0);
    expect(json(preview)).toEqual({
      runRequests: [{ runKey: "key-7", jobName: "greeting", runConfig: { ops: { greet: { config: { name: "n7" } } } }, tags: { n: "7", "vigil/sensor_name": "counter" }, alreadyUsed: false }],
      cursor: "8",
    });
    const given = await project.vigil(["sensor", "preview", "counter", "--cursor", "41"]);
    expect(given.stdout).toContain("Sensor counter would request 1 run(s):");
    expect(given.stdout).toMatch(/^key-41\s+greeting\s+\{"ops":\{"greet":\{"config":\{"name":"n41"\}\}\}\}/m);
    expect(given.stdout).toContain('Cursor: "42" (was "41").');
    expect(given.stdout).toContain("This was a preview: nothing was stored or launched.");
    const skip = await project.vigil(["sensor", "preview", "skipper"]);
    expect(skip.stdout).toContain("Sensor skipper would skip: nothing to do\nCursor: \"5\" (unchanged).");
    await using instance = await Instance.open(project.home);
    expect((await instance.getSensorState("counter"))?.cursor).toBe("7");
    expect(await instance.getRuns()).toEqual([]);
    expect(await instance.getTicks("counter")).toEqual([]);
  });

  it("exits 1 with the sensor's error when a preview throws, and for an unknown sensor", async () => {
    const thrown = await project.vigil(["sensor", "preview", "thrower"]);
    expect(thrown).toMatchObject({ code: 1, stdout: "", stderr: 'Error in sensor "thrower": sensor boom\n' });
    const unknown = await project.vigil(["sensor", "start", "nope"]);
    expect(unknown).toMatchObject({
      code: 1,
      stdout: "",
      stderr: 'Sensor "nope" is not in Definitions "__repository__"; known sensors: counter, skipper, always_on, thrower.\n',
    });
  });

  it("exits 2 for a cursor edit with neither --set nor --delete, and for an unknown command", async () => {
    const neither = await project.vigil(["sensor", "cursor", "counter"]);
    expect(neither).toMatchObject({ code: 2, stdout: "", stderr: 'Give exactly one of --set <cursor> or --delete to "vigil sensor cursor counter".\n' });
    const unknown = await project.vigil(["sensor", "frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('Unknown command "frobnicate"; run "vigil --help" to see the commands and options.\n');
  });
});
