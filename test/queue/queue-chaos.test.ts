// Two daemons and three `vigil worker` processes on one PostgreSQL (a server of this test's own),
// a sensor requesting 500 runs, half of them under a tag concurrency limit of 3. Meanwhile a worker
// is killed with SIGKILL every few seconds (and replaced), a daemon is killed mid-run (and
// replaced), and PostgreSQL itself is restarted once. Afterwards, in storage: one run per request,
// none lost, none executed twice, every one finished, the tag limit never exceeded (sampled), and
// every failure alerted exactly once.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Instance } from "../../src/instance/index.js";
import { isTerminalRunStatus, RunTag, type Run } from "../../src/model/index.js";
import { eventually, makeProject, type Project } from "../cli/support.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../support/throwaway-postgres.js";
import { kill9, startVigil, type VigilProcess } from "../support/vigil-process.js";
import { QUEUE_DEFS } from "./queue-defs.js";

const RUNS = 500;
const LIMIT = 3;
const IN_FLIGHT = ["STARTING", "STARTED", "CANCELING"] as const;

// Needs the PostgreSQL server binaries (to restart a server of its own), as the suite's global setup does.
const available = inject("postgresUrl") !== null;

describe.skipIf(!available)("the work queue under failures", () => {
  let server: ThrowawayPostgres;
  let project: Project;
  const started: VigilProcess[] = [];
  const paths = { trigger: "", failures: "" };

  function start(args: string[]): VigilProcess {
    const p = startVigil(args, { cwd: project.dir, env: { ...project.env, QUEUE_TRIGGER: paths.trigger, QUEUE_FAILURES: paths.failures, QUEUE_WORK_MS: "300" } });
    started.push(p);
    return p;
  }
  const alive = (p: VigilProcess) => p.child.exitCode === null && p.child.signalCode === null;
  async function ready(p: VigilProcess, text: string): Promise<void> {
    await eventually(async () => (p.output().includes(text) ? true : undefined), `"${text}" (output: ${p.output()})`, 90_000);
  }

  beforeAll(async () => {
    server = await startThrowawayPostgres();
    project = makeProject({ "defs.ts": QUEUE_DEFS });
    paths.trigger = join(project.dir, "trigger");
    paths.failures = join(project.dir, "failures.log");
    project.write(
      ".vigil/vigil.yaml",
      [
        `storage: { postgres: { url: "${server.url}" } }`,
        "runLauncher: queue",
        `runCoordinator: { tagConcurrencyLimits: [{ key: group, value: limited, limit: ${LIMIT} }] }`,
        "runMonitoring: { heartbeatTimeoutSeconds: 4, startTimeoutSeconds: 60 }",
        "daemon: { leaseSeconds: 4 }",
        "worker: { concurrency: 4, shutdownGraceSeconds: 2 }",
      ].join("\n"),
    );
  }, 60_000);

  afterAll(async () => {
    for (const p of started) {
      if (alive(p)) kill9(p.pid());
      await p.exited;
    }
    project?.remove();
    await server?.stop();
  });

  it("launches every request once, finishes every run, keeps the tag limit and alerts each failure once", { timeout: 600_000 }, async () => {
    const daemons = [start(["daemon", "-f", "defs.ts"]), start(["daemon", "-f", "defs.ts"])];
    const workers = [0, 1, 2].map(() => start(["worker", "-f", "defs.ts"]));
    for (const d of daemons) await ready(d, "Vigil daemon running");
    for (const w of workers) await ready(w, "Vigil worker");
    const keys = Array.from({ length: RUNS }, (_, i) => `k${i}`);
    writeFileSync(paths.trigger, keys.map((k, i) => `${k} ${i % 2 === 0 ? "limited" : "free"}`).join("\n"));

    let instance = await Instance.open(project.home);
    let maxLimited = 0;
    let samples = 0;
    let restarted = false;
    let step = 0;
    const deadline = Date.now() + 420_000;
    for (;;) {
      try {
        const [limited, runs] = await Promise.all([instance.storage.countRuns({ statuses: IN_FLIGHT, tags: { group: "limited" } }), instance.storage.countRuns()]);
        maxLimited = Math.max(maxLimited, limited);
        samples++;
        const open = await instance.storage.countRuns({ statuses: ["QUEUED", ...IN_FLIGHT] });
        if (runs === RUNS && open === 0) break;
      } catch {
        // PostgreSQL is restarting: sample again after it.
      }
      if (Date.now() > deadline) throw new Error(`runs still open after the deadline`);
      await new Promise((r) => setTimeout(r, 50));
      if (samples % 60 !== 0) continue;
      // Every ~3 s something fails: a worker, a daemon, once the database.
      step++;
      if (step === 4 && !restarted) {
        restarted = true;
        await instance.close().catch(() => undefined);
        await server.restart();
        instance = await Instance.open(project.home);
      } else if (step % 3 === 0) {
        const victim = daemons.shift();
        if (victim !== undefined) {
          // A process that exited by itself (a restart it did not survive) is a failure of the test.
          expect(kill9(victim.pid()), `daemon exited by itself:\n${victim.output()}`).toBe(true);
          await victim.exited;
          daemons.push(start(["daemon", "-f", "defs.ts"]));
        }
      } else if (step <= 20) {
        const victim = workers.shift();
        if (victim !== undefined) {
          expect(kill9(victim.pid()), `worker exited by itself:\n${victim.output()}`).toBe(true);
          await victim.exited;
          workers.push(start(["worker", "-f", "defs.ts"]));
        }
      }
    }
    expect(restarted).toBe(true);
    expect(maxLimited).toBeLessThanOrEqual(LIMIT);

    // One run per request, none lost, every one finished.
    const runs: Run[] = await instance.getRuns();
    const byKey = new Map<string, Run[]>();
    for (const run of runs) byKey.set(run.tags[RunTag.RUN_KEY] ?? "", [...(byKey.get(run.tags[RunTag.RUN_KEY] ?? "") ?? []), run]);
    for (const key of keys) expect(byKey.get(key)?.length, `runs for ${key}`).toBe(1);
    expect(runs).toHaveLength(RUNS);
    for (const run of runs) expect(isTerminalRunStatus(run.status), `${run.runId} is ${run.status}`).toBe(true);
    expect(runs.filter((r) => r.status === "SUCCESS").length).toBeGreaterThan(RUNS / 2);

    // None executed twice: one RUN_START and at most one step start each.
    const starts = await instance.getEventRecords({ eventType: "STEP_START", limit: 10 * RUNS });
    const perRun = new Map<string, number>();
    for (const s of starts) perRun.set(s.entry.runId, (perRun.get(s.entry.runId) ?? 0) + 1);
    for (const [runId, n] of perRun) expect(n, `step starts of ${runId}`).toBe(1);

    // Every failure alerted exactly once (the failure sensor catches up, then nothing more).
    const failed = runs.filter((r) => r.status === "FAILURE").map((r) => r.runId);
    const alerted = () => (existsSync(paths.failures) ? readFileSync(paths.failures, "utf8").split("\n").filter(Boolean) : []);
    await eventually(async () => (failed.every((id) => alerted().includes(id)) ? true : undefined), "every failure to be alerted", 60_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const counts = new Map<string, number>();
    for (const id of alerted()) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of failed) expect(counts.get(id), `alerts for ${id}`).toBe(1);
    await instance.close();
  });
});
