import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunCoordinator } from "../../src/coordinator/run-coordinator.js";
import { RunMonitor } from "../../src/coordinator/run-monitor.js";
import { SubprocessLauncher } from "../../src/launchers/subprocess.js";
import { WorkerTag } from "../../src/launchers/run-launcher.js";
import { probeProcess } from "../../src/launchers/worker-probe.js";
import { thisPidNamespace } from "../../src/execution/process-identity.js";
import { ProcessKind, type Run } from "../../src/model/index.js";
import type { SqlStorage } from "../../src/storage/sql-storage.js";
import { claimRun, DEFS_SOURCE, eventTypes, openProjectStorage, queueRun, TEST_CLAIMER, TEST_WORKER_HEARTBEAT, TempProject, waitForRunEnd } from "./support.js";

async function waitForStatus(storage: SqlStorage, runId: string, status: string): Promise<Run> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const run = await storage.getRun(runId);
    if (run?.status === status) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${run?.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function failureMessages(storage: SqlStorage, runId: string): Promise<string[]> {
  return (await storage.getEventRecords({ eventType: "RUN_FAILURE", runIds: [runId] })).map((r) => r.entry.message);
}

describe("SubprocessLauncher", () => {
  it("runs a job in a worker process to SUCCESS, with its events in storage and the worker recorded on the run", async () => {
    using project = new TempProject();
    const defs = project.write("defs.ts", DEFS_SOURCE);
    const { storage, opener } = await openProjectStorage(project);
    await using launcher = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs"), heartbeat: TEST_WORKER_HEARTBEAT });
    try {
      const run = await claimRun(storage, await queueRun(storage, "hello_job"));
      await launcher.launch(run);
      const ended = await waitForRunEnd(storage, run.runId);
      expect(ended.status).toBe("SUCCESS");
      const pid = Number(ended.tags[WorkerTag.WORKER_PID]);
      expect(pid).not.toBe(process.pid);
      expect(ended.tags[WorkerTag.LAUNCHER]).toBe("subprocess");
      expect(ended.tags[WorkerTag.LAUNCHER_OWNER]).toBe(launcher.ownerId);
      // The worker registered itself (its heartbeat) under the id recorded on the run.
      expect(ended.tags[WorkerTag.WORKER_ID]).toMatch(new RegExp(`^${hostname()}/${pid}/[0-9a-f]+$`));
      expect(await eventTypes(storage, run.runId)).toEqual([
        "RUN_ENQUEUED", "RUN_STARTING", "RUN_START", "STEP_START", "LOG", "STEP_OUTPUT", "STEP_SUCCESS", "RUN_SUCCESS",
      ]);
      const logs = await storage.getRunEvents(run.runId);
      expect(logs.find((r) => r.entry.event?.eventType === "LOG")?.entry.message).toBe(`hello from worker ${pid}`);
      const logFile = ended.tags[WorkerTag.WORKER_LOG] ?? "";
      expect(logFile).toBe(join(project.dir, "logs", `${run.runId}.log`));
      expect(existsSync(logFile)).toBe(true);
      expect(readFileSync(logFile, "utf8")).toBe("");
    } finally {
      await launcher.close();
      await storage.close();
    }
  });

  it("marks the run FAILURE at once, exactly once, when its worker is killed", async () => {
    using project = new TempProject();
    const defs = project.write("defs.ts", DEFS_SOURCE);
    const { storage, opener } = await openProjectStorage(project);
    const launcher = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs"), heartbeat: TEST_WORKER_HEARTBEAT });
    try {
      const run = await queueRun(storage, "sleepy_job");
      await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue();
      const started = await waitForStatus(storage, run.runId, "STARTED");
      const pid = Number(started.tags[WorkerTag.WORKER_PID]);
      process.kill(pid, "SIGKILL");
      const ended = await waitForRunEnd(storage, run.runId);
      expect(ended.status).toBe("FAILURE");
      const message = `Run worker process ${pid} for run "${run.runId}" exited unexpectedly (signal SIGKILL); the run is marked failed.`;
      expect(await failureMessages(storage, run.runId)).toEqual([message]);
      // The monitor agrees (its fast path finds the registered worker gone), and writes nothing more.
      const { processes } = await storage.getProcesses({ ids: [ended.tags[WorkerTag.WORKER_ID] ?? ""] });
      expect(processes.map(probeProcess)).toEqual(["dead"]);
      expect((await new RunMonitor({ storage, heartbeatTimeoutMs: 60_000, startTimeoutMs: 60_000, probe: probeProcess }).check()).failed).toEqual([]);
      expect(await failureMessages(storage, run.runId)).toEqual([message]);
    } finally {
      await launcher.close();
      await storage.close();
    }
  });

  it("records a job failure reported by the worker, not a dead worker", async () => {
    using project = new TempProject();
    const defs = project.write("defs.ts", DEFS_SOURCE);
    const { storage, opener } = await openProjectStorage(project);
    const launcher = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs"), heartbeat: TEST_WORKER_HEARTBEAT });
    try {
      const run = await queueRun(storage, "failing_job");
      await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue();
      expect((await waitForRunEnd(storage, run.runId)).status).toBe("FAILURE");
      await launcher.close();
      expect(await failureMessages(storage, run.runId)).toEqual(['Execution of run for "failing_job" failed. Op "boom" failed: boom in op']);
    } finally {
      await launcher.close();
      await storage.close();
    }
  });

  it("marks the run FAILURE when the worker cannot load the definitions module", async () => {
    using project = new TempProject();
    const defs = project.write("defs.ts", `throw new Error("bad config");\n`);
    const { storage, opener } = await openProjectStorage(project);
    const launcher = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs"), heartbeat: TEST_WORKER_HEARTBEAT });
    try {
      const run = await queueRun(storage, "hello_job");
      await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue();
      expect((await waitForRunEnd(storage, run.runId)).status).toBe("FAILURE");
      await launcher.close();
      const message = `Run "${run.runId}" could not start: Definitions module "${defs}" threw while loading: bad config`;
      expect(await failureMessages(storage, run.runId)).toEqual([message]);
      expect(readFileSync(join(project.dir, "logs", `${run.runId}.log`), "utf8")).toBe(`${message}\n`);
    } finally {
      await launcher.close();
      await storage.close();
    }
  });

  it("leaves the run FAILURE with the launcher's error when no worker can be started", async () => {
    using project = new TempProject();
    const { storage, opener } = await openProjectStorage(project);
    const missing = join(project.dir, "nope.ts");
    const defs = project.write("defs.ts", DEFS_SOURCE);
    const noDefs = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: missing, logDir: join(project.dir, "logs"), heartbeat: TEST_WORKER_HEARTBEAT });
    const noNode = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs"), nodePath: "/nonexistent/node", heartbeat: TEST_WORKER_HEARTBEAT });
    try {
      const a = await queueRun(storage, "hello_job");
      await new RunCoordinator({ storage, launcher: noDefs, claimedBy: TEST_CLAIMER }).dequeue();
      const b = await queueRun(storage, "hello_job");
      await new RunCoordinator({ storage, launcher: noNode, claimedBy: TEST_CLAIMER }).dequeue();
      expect((await storage.getRun(a.runId))?.status).toBe("FAILURE");
      expect((await storage.getRun(b.runId))?.status).toBe("FAILURE");
      expect(await failureMessages(storage, a.runId)).toEqual([
        `Launching run "${a.runId}" of job "hello_job" with the subprocess launcher failed: Definitions module "${missing}" does not exist; the subprocess launcher needs it to run job "hello_job".`,
      ]);
      expect(await failureMessages(storage, b.runId)).toEqual([
        `Launching run "${b.runId}" of job "hello_job" with the subprocess launcher failed: Could not start a worker process for run "${b.runId}" with /nonexistent/node: spawn /nonexistent/node ENOENT.`,
      ]);
    } finally {
      await noDefs.close();
      await noNode.close();
      await storage.close();
    }
  });
});

describe("RunMonitor", () => {
  it("fails at once a run whose worker, registered on this host and PID namespace, is gone (the pid fast path), and only then", async () => {
    using project = new TempProject();
    const { storage } = await openProjectStorage(project);
    try {
      const run = await claimRun(storage, await queueRun(storage, "hello_job"));
      // A stand-in for a worker of another (dead) daemon on this host, with its id on its command line.
      const worker = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", "--", "--worker-id=standin"], { stdio: "ignore" });
      await new Promise((r) => worker.once("spawn", r));
      const pid = worker.pid ?? 0;
      const workerId = `${hostname()}/${pid}/standin`;
      await storage.heartbeatProcess({ id: workerId, kind: ProcessKind.WORKER, host: hostname(), pid, pidNamespace: thisPidNamespace, info: { commandLineId: "--worker-id=standin" } }, 60_000);
      await storage.assignRunWorker(run.runId, workerId, { [WorkerTag.WORKER_ID]: workerId });
      const monitor = new RunMonitor({ storage, heartbeatTimeoutMs: 60_000, startTimeoutMs: 60_000, probe: probeProcess });
      expect((await monitor.check()).failed).toEqual([]);
      const exited = new Promise((r) => worker.once("exit", r));
      worker.kill("SIGKILL");
      await exited;
      expect((await monitor.check()).failed.map((f) => f.run.runId)).toEqual([run.runId]);
      expect((await storage.getRun(run.runId))?.status).toBe("FAILURE");
      expect(await failureMessages(storage, run.runId)).toEqual([
        `Run "${run.runId}" of job "hello_job": its worker ${workerId} (host ${hostname()}, pid ${pid}) is no longer running (seen from this host); the run is marked failed.`,
      ]);
      expect((await monitor.check()).failed).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it("fails a claim that never started once the start timeout passed, and leaves a heartbeating run of another host (or PID namespace) alone", async () => {
    using project = new TempProject();
    const { storage } = await openProjectStorage(project);
    try {
      const orphan = await claimRun(storage, await queueRun(storage, "hello_job"));
      const elsewhere = await claimRun(storage, await queueRun(storage, "hello_job"));
      const container = await claimRun(storage, await queueRun(storage, "hello_job"));
      // A worker on another host, and one in a container sharing this host name: pid 1 there is not ours.
      await storage.heartbeatProcess({ id: "another-host/7/w", kind: ProcessKind.WORKER, host: "another-host", pid: 7, pidNamespace: "pid:[1]", info: {} }, 60_000);
      await storage.heartbeatProcess({ id: `${hostname()}/1/c`, kind: ProcessKind.WORKER, host: hostname(), pid: 1, pidNamespace: "pid:[4026532999]", info: {} }, 60_000);
      for (const [run, worker] of [[elsewhere, "another-host/7/w"], [container, `${hostname()}/1/c`]] as const) {
        await storage.assignRunWorker(run.runId, worker, {});
        await storage.storeEvents([{ runId: run.runId, jobName: run.jobName, timestamp: Date.now(), level: "DEBUG", message: "start", event: { eventType: "RUN_START", runStatus: "STARTED" } }]);
      }
      const monitor = new RunMonitor({ storage, heartbeatTimeoutMs: 60_000, startTimeoutMs: 300, probe: probeProcess });
      expect((await monitor.check()).failed).toEqual([]);
      await new Promise((r) => setTimeout(r, 400));
      expect((await monitor.check()).failed.map((f) => f.run.runId)).toEqual([orphan.runId]);
      expect((await failureMessages(storage, orphan.runId))[0]).toMatch(
        new RegExp(`^Run "${orphan.runId}" of job "hello_job" was claimed [0-9.]+ s ago and has not started \\(runMonitoring\\.startTimeoutSeconds is 0\\.3 s\\); the run is marked failed\\.$`),
      );
      expect((await storage.getRun(elsewhere.runId))?.status).toBe("STARTED");
      expect((await storage.getRun(container.runId))?.status).toBe("STARTED");
    } finally {
      await storage.close();
    }
  });
});
