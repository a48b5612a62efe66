// The quick start, as README tells a new user to run it: `vigil dev` on examples/quickstart, a file
// dropped into the inbox, a run that succeeds, the asset sensor's run after it, and a clean Ctrl-C.
import { mkdirSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance } from "vigil";
import { eventually, makeProject, REPO, type Project } from "./support.js";

describe("the quick start", () => {
  let project: Project;
  beforeAll(() => {
    project = makeProject();
  });
  afterAll(() => project.remove());

  it("runs a job for a dropped file under vigil dev, reacts to its asset and its failures, and stops on Ctrl-C", async () => {
    const data = join(project.dir, "data");
    mkdirSync(join(data, "inbox"), { recursive: true });
    const dev = project.start(["dev", "-f", join(REPO, "examples/quickstart/defs.ts"), "--port", "0"], { QUICKSTART_DIR: data });
    let stdout = "";
    let stderr = "";
    dev.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    dev.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((r) => dev.on("exit", (code) => r(code)));
    try {
      await eventually(async () => (stdout.includes("Vigil daemon running") ? true : undefined), `the daemon to start (stdout: ${stdout}, stderr: ${stderr})`, 60_000);
      const uiUrl = await eventually(async () => /Vigil UI at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1], `the UI to start (stdout: ${stdout})`, 60_000);
      const sensors = (await (await fetch(`${uiUrl}/api/sensors`)).json()) as unknown;
      expect(JSON.stringify(sensors)).toContain("new_file_sensor");
      writeFileSync(join(data, "inbox", "notes.txt"), "one two three\nfour\n");
      await using instance = await Instance.open(project.home);
      const run = await eventually(async () => (await instance.getRuns({ jobName: "process_file", tags: { file: "notes.txt" } }))[0], "a process_file run", 60_000);
      expect((await instance.waitForRun(run.runId, { timeoutMs: 30_000 })).status).toBe("SUCCESS");
      expect(JSON.parse(readFileSync(join(data, "reports", "notes.txt.json"), "utf8"))).toEqual({ file: "notes.txt", lines: 2, words: 4 });
      const summary = await eventually(async () => (await instance.getRuns({ jobName: "summarize_reports" }))[0], "a summarize_reports run", 60_000);
      expect((await instance.waitForRun(summary.runId, { timeoutMs: 30_000 })).status).toBe("SUCCESS");

      writeFileSync(join(data, "inbox", "empty.txt"), "");
      await eventually(async () => (existsSync(join(data, "failures.log")) ? true : undefined), "the failure sensor to log", 60_000);
      expect(readFileSync(join(data, "failures.log"), "utf8")).toMatch(/of process_file failed: .*"empty\.txt" is empty/);
      await eventually(async () => (stdout.includes("(process_file) succeeded") ? true : undefined), "the activity feed to report the run");
    } finally {
      dev.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain("Stopped.");
  }, 240_000);
});
