import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunCoordinator } from "../../src/coordinator/run-coordinator.js";
import { Definitions } from "../../src/definitions/definitions.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { InvalidArgumentError, NotFoundError } from "../../src/errors/index.js";
import { Instance } from "../../src/instance/instance.js";
import { InProcessLauncher } from "../../src/launchers/in-process.js";
import { WorkerTag } from "../../src/launchers/run-launcher.js";
import { SubprocessLauncher } from "../../src/launchers/subprocess.js";
import { DEFS_SOURCE, eventTypes, openProjectStorage, queueRun, TEST_CLAIMER, TEST_WORKER_HEARTBEAT, TempProject, waitForRunEnd } from "./support.js";

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("Instance.cancelRun", () => {
  it("cancels a queued run at once, and refuses a finished or unknown one", async () => {
    using project = new TempProject();
    const { storage } = await openProjectStorage(project);
    await using instance = await Instance.open(join(project.dir, "home"));
    try {
      const run = await queueRun(storage, "hello_job");
      expect((await instance.cancelRun(run.runId)).status).toBe("CANCELED");
      expect(await eventTypes(storage, run.runId)).toEqual(["RUN_ENQUEUED", "RUN_CANCELED"]);
      const again = instance.cancelRun(run.runId);
      await expect(again).rejects.toThrow(InvalidArgumentError);
      await expect(again).rejects.toThrow(`Run "${run.runId}" has already finished (CANCELED); only a queued or running run can be canceled.`);
      await expect(instance.cancelRun("no-such-run")).rejects.toThrow(NotFoundError);
    } finally {
      await storage.close();
    }
  });

  it("cancels a running subprocess run: SIGTERM, SIGKILL after the grace period, the run ends CANCELED and its worker is gone", async () => {
    using project = new TempProject();
    const defs = project.write("defs.ts", DEFS_SOURCE);
    const { storage, opener } = await openProjectStorage(project);
    await using instance = await Instance.open(join(project.dir, "home"));
    const launcher = new SubprocessLauncher({ storage, storageOpener: opener, definitionsFile: defs, logDir: join(project.dir, "logs"), warmWorkers: 1, terminateGraceMs: 500, heartbeat: TEST_WORKER_HEARTBEAT });
    try {
      const run = await queueRun(storage, "sleepy_job");
      await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue();
      await until(async () => (await eventTypes(storage, run.runId)).includes("STEP_START"), "the sleepy op to start");
      const pid = Number((await storage.getRun(run.runId))?.tags[WorkerTag.WORKER_PID]);
      expect((await instance.cancelRun(run.runId)).status).toBe("CANCELING");
      const ended = await waitForRunEnd(storage, run.runId);
      expect(ended.status).toBe("CANCELED");
      expect(alive(pid)).toBe(false);
      const canceled = await storage.getEventRecords({ eventType: "RUN_CANCELED", runIds: [run.runId] });
      expect(canceled.map((r) => r.entry.message)).toEqual([`Run "${run.runId}" was canceled: its worker process ${pid} stopped (signal SIGKILL) before the run finished.`]);
      expect(await storage.getEventRecords({ eventType: "RUN_FAILURE", runIds: [run.runId] })).toEqual([]);
    } finally {
      await launcher.close();
      await storage.close();
    }
  });
});

describe("InProcessLauncher cancel", () => {
  it("stops between ops: the op running finishes, later ops do not run, the run ends CANCELED", async () => {
    let release: () => void = () => undefined;
    let firstStarted = false;
    const first = op({ name: "first" }, () => {
      firstStarted = true;
      return new Promise<number>((resolve) => (release = () => resolve(1)));
    });
    const second = op({ name: "second" }, (_context, input: number) => input + 1);
    const defs = new Definitions({ jobs: [job({ name: "two_ops" }, () => { second(first()); })] });
    await using instance = await Instance.ephemeral();
    const launcher = new InProcessLauncher({ storage: instance.storage, definitions: defs, heartbeat: instance.runHeartbeat() });
    try {
      const runId = "run-in-process-cancel";
      await instance.storage.addRun({ runId, jobName: "two_ops", status: "QUEUED", tags: {}, runConfig: {}, createdAt: Date.now() });
      await new RunCoordinator({ storage: instance.storage, launcher, claimedBy: TEST_CLAIMER }).dequeue();
      await until(async () => firstStarted, "the first op to start");
      expect((await instance.cancelRun(runId)).status).toBe("CANCELING");
      release();
      expect((await instance.waitForRun(runId, { timeoutMs: 10_000 })).status).toBe("CANCELED");
      const events = await instance.getRunEvents(runId);
      expect(events.filter((e) => e.entry.event?.eventType === "STEP_START").map((e) => e.entry.stepKey)).toEqual(["first"]);
      expect(events.at(-1)?.entry.message).toBe('Execution of run for "two_ops" was canceled. Op "second" did not run.');
    } finally {
      await launcher.close();
    }
  });
});
