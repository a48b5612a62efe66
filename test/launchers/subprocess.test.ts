import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunCoordinator } from "../../src/coordinator/run-coordinator.js";
import { RunMonitor } from "../../src/coordinator/run-monitor.js";
import { SubprocessLauncher } from "../../src/launchers/subprocess.js";
import { WorkerTag } from "../../src/launchers/run-launcher.js";
import { probeRunWorker } from "../../src/launchers/worker-probe.js";
import type { Run } from "../../src/model/index.js";
import type { SqlStorage } from "../../src/storage/sql-storage.js";
import { claimRun, DEFS_SOURCE, eventTypes, openProjectStorage, queueRun, TempProject, waitForRunEnd } from "./support.js";

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
    await using launcher = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs") });
    try {
      const run = await claimRun(storage, await queueRun(storage, "hello_job"));
      await launcher.launch(run);
      const ended = await waitForRunEnd(storage, run.runId);
      expect(ended.status).toBe("SUCCESS");
      const pid = Number(ended.tags[WorkerTag.WORKER_PID]);
      expect(pid).not.toBe(process.pid);
      expect(ended.tags[WorkerTag.LAUNCHER]).toBe("subprocess");
      expect(ended.tags[WorkerTag.LAUNCHER_OWNER]).toBe(launcher.ownerId);
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
    const launcher = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs") });
    try {
      const run = await queueRun(storage, "sleepy_job");
      await new RunCoordinator({ storage, launcher }).dequeue();
      const started = await waitForStatus(storage, run.runId, "STARTED");
      const pid = Number(started.tags[WorkerTag.WORKER_PID]);
      process.kill(pid, "SIGKILL");
      const ended = await waitForRunEnd(storage, run.runId);
      expect(ended.status).toBe("FAILURE");
      const message = `Run worker process ${pid} for run "${run.runId}" exited unexpectedly (signal SIGKILL); the run is marked failed.`;
      expect(await failureMessages(storage, run.runId)).toEqual([message]);
      // The monitor agrees, and writes nothing more.
      expect(probeRunWorker(ended)).toEqual({ state: "dead", message });
      expect(await new RunMonitor({ storage, probe: probeRunWorker }).check()).toEqual([]);
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
    const launcher = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs") });
    try {
      const run = await queueRun(storage, "failing_job");
      await new RunCoordinator({ storage, launcher }).dequeue();
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
    const launcher = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs") });
    try {
      const run = await queueRun(storage, "hello_job");
      await new RunCoordinator({ storage, launcher }).dequeue();
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
    const noDefs = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: missing, logDir: join(project.dir, "logs") });
    const noNode = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs"), nodePath: "/nonexistent/node" });
    try {
      const a = await queueRun(storage, "hello_job");
      await new RunCoordinator({ storage, launcher: noDefs }).dequeue();
      const b = await queueRun(storage, "hello_job");
      await new RunCoordinator({ storage, launcher: noNode }).dequeue();
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
  it("fails a run whose worker process, started by a daemon that is gone, was killed", async () => {
    using project = new TempProject();
    const { storage } = await openProjectStorage(project);
    try {
      const run = await claimRun(storage, await queueRun(storage, "hello_job"));
      // A stand-in for a worker of another (dead) daemon on this host: its command line names the run.
      const worker = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", "--", `--run-id=${run.runId}`], { stdio: "ignore" });
      await new Promise((r) => worker.once("spawn", r));
      const pid = worker.pid ?? 0;
      await storage.addRunTags(run.runId, {
        [WorkerTag.LAUNCHER]: "subprocess",
        [WorkerTag.LAUNCHER_OWNER]: `${hostname()}/1/gone`,
        [WorkerTag.WORKER_HOST]: hostname(),
        [WorkerTag.WORKER_PID]: String(pid),
      });
      const monitor = new RunMonitor({ storage, probe: probeRunWorker });
      expect(await monitor.check()).toEqual([]);
      const exited = new Promise((r) => worker.once("exit", r));
      worker.kill("SIGKILL");
      await exited;
      expect((await monitor.check()).map((r) => r.runId)).toEqual([run.runId]);
      expect((await storage.getRun(run.runId))?.status).toBe("FAILURE");
      expect(await failureMessages(storage, run.runId)).toEqual([`Run worker process ${pid} for run "${run.runId}" exited unexpectedly (it is no longer running); the run is marked failed.`]);
      expect(await monitor.check()).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it("fails a run left STARTING with no worker once the grace period has passed, and leaves other hosts' runs alone", async () => {
    using project = new TempProject();
    const { storage } = await openProjectStorage(project);
    try {
      const orphan = await claimRun(storage, await queueRun(storage, "hello_job"));
      const elsewhere = await claimRun(storage, await queueRun(storage, "hello_job"));
      await storage.addRunTags(elsewhere.runId, { [WorkerTag.LAUNCHER]: "subprocess", [WorkerTag.WORKER_HOST]: "another-host", [WorkerTag.WORKER_PID]: "1" });
      expect(await new RunMonitor({ storage, probe: probeRunWorker }).check()).toEqual([]);
      const later = new RunMonitor({ storage, probe: probeRunWorker, now: () => Date.now() + 61_000 });
      expect((await later.check()).map((r) => r.runId)).toEqual([orphan.runId]);
      expect(await failureMessages(storage, orphan.runId)).toEqual([
        `Run "${orphan.runId}" of job "hello_job" was claimed for launch but no launcher started it within 60 s (the daemon that claimed it may have stopped); the run is marked failed.`,
      ]);
      expect((await storage.getRun(elsewhere.runId))?.status).toBe("STARTING");
    } finally {
      await storage.close();
    }
  });
});
