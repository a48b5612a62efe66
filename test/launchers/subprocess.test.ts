import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SubprocessLauncher } from "../../src/launchers/subprocess.js";
import { WorkerTag } from "../../src/launchers/run-launcher.js";
import { claimRun, DEFS_SOURCE, eventTypes, openProjectStorage, queueRun, TempProject, waitForRunEnd } from "./support.js";

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
});
