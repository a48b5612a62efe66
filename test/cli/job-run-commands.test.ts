// Black-box tests of `vigil job ...` and `vigil run ...`.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance, type Run } from "vigil";
import { json, makeProject, TEST_DEFS, type Project } from "./support.js";

describe("vigil job and vigil run", () => {
  let project: Project;
  beforeAll(() => {
    project = makeProject({
      "defs.ts": TEST_DEFS,
      "greet.yaml": "ops:\n  greet:\n    config:\n      name: yaml\n",
      "bad.yaml": "ops: [unclosed\n",
      "wrong.json": '{ "ops": { "greet": { "config": { "name": 3 } } } }',
    });
  });
  afterAll(() => project.remove());

  it("lists jobs with their ops and the sensors that target them", async () => {
    const listed = await project.vigil(["job", "list", "--json"]);
    expect(json(listed)).toEqual([
      { name: "etl", description: "adds numbers", tags: {}, ops: ["extract", "total"], sensors: ["skipper", "always_on", "thrower"] },
      { name: "fails", description: null, tags: {}, ops: ["explode"], sensors: [] },
      { name: "greeting", description: null, tags: {}, ops: ["greet"], sensors: ["counter"] },
    ]);
  });

  it("executes a job with run config from a file, printing each step's start and end", async () => {
    const result = await project.vigil(["job", "execute", "greeting", "-c", "greet.yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Executing job greeting \(run [0-9a-f-]{36}\)$/m);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d {2}greet {2}started$/m);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d {2}greet {2}INFO hello yaml$/m);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d {2}greet {2}succeeded in \d+ ms$/m);
    expect(result.stdout).toMatch(/^Run [0-9a-f-]{36} SUCCESS in [\d.]+ m?s\.$/m);
  });

  it("exits 1 with the failing op's error when the run fails", async () => {
    const result = await project.vigil(["job", "execute", "fails"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d {2}explode {2}failed in \d+ ms: /m);
    expect(result.stderr).toMatch(/^Run [0-9a-f-]{36} of job "fails" failed: Error in op "explode": boom\n$/);
  });

  it("refuses an unknown job and bad run config files, naming them", async () => {
    const [unknown, missing, bad, wrong] = [
      await project.vigil(["job", "execute", "nope"]),
      await project.vigil(["job", "execute", "greeting", "-c", "missing.yaml"]),
      await project.vigil(["job", "execute", "greeting", "-c", "bad.yaml"]),
      await project.vigil(["job", "execute", "greeting", "-c", "wrong.json"]),
    ];
    expect(unknown).toMatchObject({ code: 1, stderr: 'Job "nope" is not in Definitions "__repository__"; known jobs: etl, fails, greeting.\n' });
    expect(missing).toMatchObject({ code: 1, stderr: `Run config file "${project.dir}/missing.yaml" does not exist; check the path given to -c.\n` });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^Run config file "${project.dir}/bad\\.yaml" is not valid YAML or JSON \\(.+\\); fix the file\\.\\n$`));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("ops.greet.config.name");
  });

  it("lists runs as JSON, filtered by status and job, and shows one with its event log", async () => {
    const all = json<Run[]>(await project.vigil(["run", "list", "--json"]));
    expect(all.map((r) => [r.jobName, r.status])).toEqual([
      ["fails", "FAILURE"],
      ["greeting", "SUCCESS"],
    ]);
    const failed = json<Run[]>(await project.vigil(["--json", "run", "list", "--status", "failure", "--job", "fails"]));
    expect(failed.map((r) => r.runId)).toEqual([all[0]?.runId]);
    const shown = await project.vigil(["run", "show", all[1]?.runId ?? "", "--json"]);
    const { run, events } = json<{ run: Run; events: { storageId: number; entry: { event?: { eventType: string } } }[] }>(shown);
    expect(run).toEqual(all[1]);
    expect(events.map((e) => e.entry.event?.eventType).filter((t) => t !== "LOG")).toEqual(["RUN_START", "STEP_START", "STEP_OUTPUT", "STEP_SUCCESS", "RUN_SUCCESS"]);
    const table = await project.vigil(["run", "show", all[1]?.runId ?? ""]);
    expect(table.stdout).toMatch(/^Status: {5}SUCCESS$/m);
    expect(table.stdout).toMatch(/^TIME\s+STEP\s+EVENT\s+MESSAGE$/m);
  });

  it("cancels a queued run at once and a running one by asking it to stop, and refuses a finished one", async () => {
    const queued = randomUUID();
    const running = randomUUID();
    {
      await using instance = await Instance.open(project.home);
      await instance.storage.addRun({ runId: queued, jobName: "etl", status: "QUEUED", tags: {}, runConfig: {}, createdAt: Date.now() });
      await instance.storage.addRun({ runId: running, jobName: "etl", status: "NOT_STARTED", tags: {}, runConfig: {}, createdAt: Date.now() });
      await instance.storage.storeEvents([{ runId: running, jobName: "etl", timestamp: Date.now(), level: "DEBUG", message: "started", event: { eventType: "RUN_START", runStatus: "STARTED" } }]);
    }
    const canceled = await project.vigil(["run", "cancel", queued]);
    expect(canceled).toMatchObject({ code: 0, stdout: `Canceled run ${queued}.\n` });
    const canceling = await project.vigil(["run", "cancel", running, "--json"]);
    expect(json(canceling)).toMatchObject({ runId: running, status: "CANCELING" });
    const finished = await project.vigil(["run", "cancel", queued]);
    expect(finished).toMatchObject({ code: 1, stderr: `Run "${queued}" has already finished (CANCELED); only a queued or running run can be canceled.\n` });
    const unknown = await project.vigil(["run", "show", "no-such-run"]);
    expect(unknown).toMatchObject({ code: 1, stderr: 'Run "no-such-run" does not exist in this instance; list runs with "vigil run list".\n' });
    await using instance = await Instance.open(project.home);
    const events = await instance.getRunEvents(queued);
    expect(events.map((e) => e.entry.event?.eventType)).toEqual(["RUN_CANCELED"]);
  });
});
