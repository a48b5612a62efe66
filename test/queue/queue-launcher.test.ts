// Runs on the work queue: a daemon claims runs and enqueues them in graphile-worker in the claim's
// transaction, `vigil worker` processes execute them, and a worker's death is judged by heartbeat.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Instance } from "../../src/instance/index.js";
import { RunTag, WorkerTag, type Run } from "../../src/model/index.js";
import { eventually, makeProject, type Project } from "../cli/support.js";
import { createTempDatabase } from "../support/postgres.js";
import { kill9, startVigil, type VigilProcess } from "../support/vigil-process.js";
import { QUEUE_DEFS } from "./queue-defs.js";

const postgresUrl = inject("postgresUrl");

describe.skipIf(postgresUrl === null)("runLauncher: queue", () => {
  let project: Project;
  let database: Awaited<ReturnType<typeof createTempDatabase>>;
  const processes: VigilProcess[] = [];
  const paths = { trigger: "", failures: "" };
  let instance: Instance;

  function env(): NodeJS.ProcessEnv {
    return { ...project.env, QUEUE_TRIGGER: paths.trigger, QUEUE_FAILURES: paths.failures };
  }
  function start(args: string[]): VigilProcess {
    const p = startVigil(args, { cwd: project.dir, env: env() });
    processes.push(p);
    return p;
  }
  async function running(p: VigilProcess, text: string): Promise<void> {
    await eventually(async () => (p.output().includes(text) ? true : undefined), `"${text}" (output: ${p.output()})`, 90_000);
  }
  const alerted = () => (existsSync(paths.failures) ? readFileSync(paths.failures, "utf8").split("\n").filter(Boolean) : []);

  beforeAll(async () => {
    database = await createTempDatabase(postgresUrl ?? "");
    project = makeProject({ "defs.ts": QUEUE_DEFS });
    paths.trigger = join(project.dir, "trigger");
    paths.failures = join(project.dir, "failures.log");
    project.write(
      ".vigil/vigil.yaml",
      [`storage: { postgres: { url: "${database.url}" } }`, "runLauncher: queue", "runMonitoring: { heartbeatTimeoutSeconds: 3 }", "daemon: { leaseSeconds: 4 }", "worker: { shutdownGraceSeconds: 2, cancelGraceSeconds: 2 }"].join("\n"),
    );
    const daemon = start(["daemon", "-f", "defs.ts"]);
    await running(daemon, "Vigil daemon running");
    instance = await Instance.open(project.home);
  }, 120_000);

  afterAll(async () => {
    await instance?.close();
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) kill9(p.pid());
      await p.exited;
    }
    project?.remove();
    await database?.drop();
  });

  it("executes runs on a vigil worker, recording it on each run", { timeout: 120_000 }, async () => {
    const worker = start(["worker", "-f", "defs.ts", "--concurrency", "2"]);
    await running(worker, "Vigil worker");
    writeFileSync(paths.trigger, ["a g1", "b g1", "c g2"].join("\n"));
    const runs = await eventually(async () => {
      const all = await instance.getRuns({ jobName: "work_job" });
      return all.length === 3 && all.every((r) => r.status === "SUCCESS") ? all : undefined;
    }, "three runs to succeed", 60_000);
    for (const run of runs) {
      expect(run.tags[WorkerTag.LAUNCHER]).toBe("queue");
      expect(run.tags[WorkerTag.WORKER_ID]).toMatch(new RegExp(`/${worker.pid()}/`));
    }
    const { processes: workers } = await instance.storage.getProcesses({ kinds: ["worker"], aliveOnly: true });
    expect(workers.map((p) => p.pid)).toContain(worker.pid());
    // What each run printed on the worker is stored with it: `vigil run logs` shows it from here.
    const logs = await project.vigil(["run", "logs", runs[0]?.runId ?? ""]);
    expect(logs).toMatchObject({ code: 0, stdout: `working on ${runs[0]?.runId}\n` });
  });

  it("fails a run whose worker is killed mid-run by its heartbeat, once, and goes on with the next runs", { timeout: 120_000 }, async () => {
    const worker = processes.find((p) => p.output().includes("Vigil worker")) as VigilProcess;
    writeFileSync(paths.trigger, ["slow1 g3 slow_job"].join("\n"));
    const slow = await eventually(async () => (await instance.getRuns({ tags: { [RunTag.RUN_KEY]: "slow1" }, statuses: ["STARTED"] }))[0], "the slow run to start", 60_000);
    kill9(worker.pid());
    await worker.exited;
    const ended = await instance.waitForRun(slow.runId, { timeoutMs: 60_000 });
    expect(ended.status).toBe("FAILURE");
    const [failure] = await instance.getEventRecords({ eventType: "RUN_FAILURE", runIds: [slow.runId] });
    expect(failure?.entry.message).toMatch(/its worker .* (has sent no heartbeat|is no longer running)/);
    await eventually(async () => (alerted().includes(slow.runId) ? true : undefined), "the failure alert");
    // A new worker takes the next runs: the dead worker's locked job blocks nothing.
    start(["worker", "-f", "defs.ts"]);
    writeFileSync(paths.trigger, ["d g1", "e g1"].join("\n"));
    await eventually(async () => {
      const runs: Run[] = await instance.getRuns({ tags: { group: "g1" } });
      return runs.length === 4 && runs.every((r) => r.status === "SUCCESS") ? true : undefined;
    }, "the next runs to succeed", 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(alerted().filter((id) => id === slow.runId)).toHaveLength(1);
  });

  it("reaches a run on a worker with a cancel within seconds (its heartbeat's answer), even while an op is stuck", { timeout: 120_000 }, async () => {
    writeFileSync(paths.trigger, ["slow2 g4 slow_job"].join("\n"));
    const slow = await eventually(async () => (await instance.getRuns({ tags: { [RunTag.RUN_KEY]: "slow2" }, statuses: ["STARTED"] }))[0], "the slow run to start", 60_000);
    expect((await instance.cancelRun(slow.runId)).status).toBe("CANCELING");
    // One heartbeat (1 s here) to learn of it, the op's 2 s of grace, then CANCELED: not 120 s.
    const ended = await instance.waitForRun(slow.runId, { timeoutMs: 30_000 });
    expect(ended.status).toBe("CANCELED");
    const [event] = await instance.getEventRecords({ eventType: "RUN_CANCELED", runIds: [slow.runId] });
    expect(event?.entry.message).toBe(`Run "${slow.runId}" of job "slow_job" was canceled; ops still running 2 s after the cancel were abandoned.`);
  });

  it("on SIGTERM takes no new run, gives runs in flight their grace, fails those still running, and exits", { timeout: 120_000 }, async () => {
    const worker = processes.filter((p) => p.output().includes("Vigil worker") && p.child.exitCode === null && p.child.signalCode === null).at(-1) as VigilProcess;
    writeFileSync(paths.trigger, ["slow3 g5 slow_job"].join("\n"));
    const slow = await eventually(async () => (await instance.getRuns({ tags: { [RunTag.RUN_KEY]: "slow3" }, statuses: ["STARTED"] }))[0], "the slow run to start", 60_000);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    const ended = await instance.waitForRun(slow.runId, { timeoutMs: 30_000 });
    expect(ended.status).toBe("FAILURE");
    const [failure] = await instance.getEventRecords({ eventType: "RUN_FAILURE", runIds: [slow.runId] });
    expect(failure?.entry.message).toMatch(new RegExp(`^Worker .+ stopped before run "${slow.runId}" of job "slow_job" finished \\(it was given 2 s to finish\\); the run is marked failed\\.$`));
    expect(worker.output()).toContain("Worker stopped.");
    const { processes: alive } = await instance.storage.getProcesses({ kinds: ["worker"], aliveOnly: true });
    expect(alive.map((p) => p.pid)).not.toContain(worker.pid());
  });

  it("fails each run it takes with the load error when its definitions do not load, and keeps running", { timeout: 120_000 }, async () => {
    project.write("broken.ts", `throw new Error("bad deploy");\n`);
    const broken = start(["worker", "-f", "broken.ts"]);
    await running(broken, "Vigil worker");
    writeFileSync(paths.trigger, ["after-broken g6"].join("\n"));
    const run = await eventually(async () => (await instance.getRuns({ tags: { [RunTag.RUN_KEY]: "after-broken" } }))[0], "the run to be queued", 60_000);
    expect((await instance.waitForRun(run.runId, { timeoutMs: 60_000 })).status).toBe("FAILURE");
    const [failure] = await instance.getEventRecords({ eventType: "RUN_FAILURE", runIds: [run.runId] });
    expect(failure?.entry.message).toBe(`Run "${run.runId}" could not start: Definitions module "${join(project.dir, "broken.ts")}" threw while loading: bad deploy`);
    expect(broken.child.exitCode).toBeNull();
  });
});
