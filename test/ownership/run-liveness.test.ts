// Runs whose process dies are judged from storage: `vigil job execute` killed with SIGKILL or
// interrupted with Ctrl-C, a subprocess run worker killed, and a `vigil job execute` in its own PID
// and network namespace (standing in for a container on this host or another machine: no pid probe
// can see it) all end FAILURE within the heartbeat timeout, their failure sensor fires exactly once,
// and the concurrency slot they held frees a queued run. Real OS processes, SQLite, one daemon.
import { existsSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance } from "../../src/instance/index.js";
import { WorkerTag } from "../../src/launchers/run-launcher.js";
import type { Run } from "../../src/model/index.js";
import { eventually, makeProject, type Project } from "../cli/support.js";
import { kill9, requireNamespaces, startVigil, type VigilProcess } from "../support/vigil-process.js";
import { LIVENESS_DEFS } from "./liveness-defs.js";

const VIGIL_YAML = [
  "runCoordinator: { maxConcurrentRuns: 1 }",
  "runMonitoring: { heartbeatTimeoutSeconds: 3, startTimeoutSeconds: 60 }",
  "daemon: { leaseSeconds: 3 }",
  "subprocessLauncher: { warmWorkers: 1 }",
].join("\n");

let project: Project;
let daemon: VigilProcess;
let instance: Instance;
const paths = { failures: "", trigger: "", slowTrigger: "" };

function env(): NodeJS.ProcessEnv {
  return { ...project.env, LIVENESS_FAILURES: paths.failures, LIVENESS_TRIGGER: paths.trigger, LIVENESS_SLOW_TRIGGER: paths.slowTrigger };
}

/** Run ids the failure sensor alerted about, in order. */
function alerted(): string[] {
  return existsSync(paths.failures) ? readFileSync(paths.failures, "utf8").split("\n").filter(Boolean) : [];
}

async function runOf(jobName: string, status: string): Promise<Run> {
  return eventually(async () => (await instance.getRuns({ jobName, statuses: [status as Run["status"]] }))[0], `a ${status} run of ${jobName}`, 60_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n--- daemon output ---\n${daemon.output()}`);
  });
}

async function failureMessage(runId: string): Promise<string> {
  const [record] = await instance.getEventRecords({ eventType: "RUN_FAILURE", runIds: [runId] });
  return record?.entry.message ?? "";
}

/** Queues a quick_job run (through the trigger sensor) that the limit holds back behind the run in flight. */
async function queueBehind(key: string): Promise<Run> {
  writeFileSync(paths.trigger, key);
  const queued = await eventually(async () => (await instance.getRuns({ tags: { "vigil/run_key": key } }))[0], `the run for key ${key}`, 60_000);
  expect(queued.status).toBe("QUEUED");
  expect((await instance.getRunQueueInfo(queued.runId))?.blockedBy.map((b) => b.key)).toEqual(["maxConcurrentRuns"]);
  return queued;
}

/**
 * The run is FAILURE, alerted exactly once (checked again after a few more ticks of the failure
 * sensor), and the queued run the limit held back then succeeds. Returns the failure's message.
 */
async function expectFailedOnceAndSlotFreed(run: Run, queued: Run): Promise<string> {
  const ended = await instance.waitForRun(run.runId, { timeoutMs: 30_000 });
  expect(ended.status).toBe("FAILURE");
  await eventually(async () => (alerted().includes(run.runId) ? true : undefined), `the failure sensor to alert about ${run.runId}`);
  expect((await instance.waitForRun(queued.runId, { timeoutMs: 60_000 })).status).toBe("SUCCESS");
  await new Promise((r) => setTimeout(r, 2_500));
  expect(alerted().filter((id) => id === run.runId)).toHaveLength(1);
  return failureMessage(run.runId);
}

describe("run liveness across processes (SQLite)", () => {
  beforeAll(async () => {
    project = makeProject({ "defs.ts": LIVENESS_DEFS });
    project.write(".vigil/vigil.yaml", VIGIL_YAML);
    paths.failures = join(project.dir, "failures.log");
    paths.trigger = join(project.dir, "trigger");
    paths.slowTrigger = join(project.dir, "slow-trigger");
    daemon = startVigil(["daemon", "-f", "defs.ts"], { cwd: project.dir, env: env() });
    await eventually(async () => (daemon.output().includes("Vigil daemon running") ? true : undefined), "the daemon to start", 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${daemon.output()}`);
    });
    instance = await Instance.open(project.home);
  }, 90_000);

  afterAll(async () => {
    await instance?.close();
    if (daemon !== undefined) {
      daemon.child.kill("SIGTERM");
      await daemon.exited;
    }
    project?.remove();
  });

  it("fails a `vigil job execute` run killed with SIGKILL once, and its slot frees a queued run", { timeout: 120_000 }, async () => {
    const cli = startVigil(["job", "execute", "slow_job", "-f", "defs.ts"], { cwd: project.dir, env: env() });
    const run = await runOf("slow_job", "STARTED");
    const queued = await queueBehind("after-kill");
    kill9(cli.pid());
    expect(await cli.exited).toBe("SIGKILL");
    const message = await expectFailedOnceAndSlotFreed(run, queued);
    expect(message).toMatch(new RegExp(`^Run "${run.runId}" of job "slow_job": its worker .+ (is no longer running \\(seen from this host\\)|has sent no heartbeat for [0-9.]+ s \\(runMonitoring\\.heartbeatTimeoutSeconds is 3 s\\)); the run is marked failed\\.$`));
  });

  it("fails a `vigil job execute` run interrupted with Ctrl-C at once, saying so", { timeout: 120_000 }, async () => {
    const cli = startVigil(["job", "execute", "slow_job", "-f", "defs.ts"], { cwd: project.dir, env: env() });
    const run = await runOf("slow_job", "STARTED");
    const queued = await queueBehind("after-ctrl-c");
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(130);
    const message = await expectFailedOnceAndSlotFreed(run, queued);
    expect(message).toBe(`Run "${run.runId}" of job "slow_job" was interrupted (SIGINT) while "vigil job execute" ran it; the run is marked failed.`);
  });

  it("fails a run whose subprocess worker is killed with SIGKILL once", { timeout: 120_000 }, async () => {
    writeFileSync(paths.slowTrigger, "slow-1");
    const run = await runOf("slow_job", "STARTED");
    const pid = Number(run.tags[WorkerTag.WORKER_PID]);
    expect(pid).toBeGreaterThan(0);
    const queued = await queueBehind("after-worker-kill");
    kill9(pid);
    await expectFailedOnceAndSlotFreed(run, queued);
  });

  const namespaces = requireNamespaces("the run liveness test of a worker in its own PID and network namespace");
  it.skipIf(!namespaces)("fails a run executed in its own PID and network namespace by its heartbeat timeout, never by its pid", { timeout: 120_000 }, async () => {
    const cli = startVigil(["job", "execute", "slow_job", "-f", "defs.ts"], { cwd: project.dir, env: env(), namespaces: "pid+net" });
    const run = await runOf("slow_job", "STARTED");
    const { processes } = await instance.storage.getProcesses({ ids: [run.tags[WorkerTag.WORKER_ID] ?? ""] });
    // Inside its namespace the process is pid 1 of another PID namespace: nothing to probe from here.
    expect(processes.map((p) => p.pid)).toEqual([1]);
    expect(processes[0]?.pidNamespace).toMatch(/^pid:\[\d+\]$/);
    expect(processes[0]?.pidNamespace).not.toBe(readlinkSync("/proc/self/ns/pid"));
    const queued = await queueBehind("after-namespace-kill");
    kill9(cli.pid());
    await cli.exited;
    const message = await expectFailedOnceAndSlotFreed(run, queued);
    expect(message).toMatch(new RegExp(`^Run "${run.runId}" of job "slow_job": its worker .+ \\(host .+, pid 1\\) has sent no heartbeat for [0-9.]+ s \\(runMonitoring\\.heartbeatTimeoutSeconds is 3 s\\); the run is marked failed\\.$`));
  });
});
