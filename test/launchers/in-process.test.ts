import { describe, expect, it } from "vitest";
import { RunCoordinator } from "../../src/coordinator/run-coordinator.js";
import { RunMonitor } from "../../src/coordinator/run-monitor.js";
import { Definitions } from "../../src/definitions/definitions.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { InProcessLauncher } from "../../src/launchers/in-process.js";
import { WorkerTag } from "../../src/launchers/run-launcher.js";
import { openTempSqlite } from "../support/storage-databases.js";
import { eventTypes, queueRun, TEST_CLAIMER, testHeartbeat, waitForRunEnd } from "./support.js";

let release: () => void = () => undefined;
const gate = op({ name: "gate" }, () => new Promise<number>((resolve) => (release = () => resolve(1))));
const hello = op({ name: "hello" }, () => 1);
const defs = new Definitions({
  jobs: [job({ name: "hello_job" }, () => { hello(); }), job({ name: "gated_job" }, () => { gate(); })],
});

describe("InProcessLauncher", () => {
  it("runs a job in this process to SUCCESS, and close() waits for it", async () => {
    await using db = await openTempSqlite();
    const storage = await db.connect();
    const heartbeat = testHeartbeat(storage);
    const launcher = new InProcessLauncher({ storage, definitions: defs, heartbeat });
    const run = await queueRun(storage, "gated_job");
    expect(await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue()).toHaveLength(1);
    expect(launcher.inFlightRunIds).toEqual([run.runId]);
    const started = await storage.getRun(run.runId);
    expect(started?.tags[WorkerTag.WORKER_PID]).toBe(String(process.pid));
    expect(started?.tags[WorkerTag.WORKER_ID]).toBe(heartbeat.processId);
    expect(started?.tags[WorkerTag.LAUNCHER_OWNER]).toBe(launcher.ownerId);
    const closed = launcher.close();
    setTimeout(() => release(), 50);
    await closed;
    await heartbeat.close();
    expect((await storage.getRun(run.runId))?.status).toBe("SUCCESS");
    expect(await eventTypes(storage, run.runId)).toEqual(["RUN_ENQUEUED", "RUN_STARTING", "RUN_START", "STEP_START", "STEP_OUTPUT", "STEP_SUCCESS", "RUN_SUCCESS"]);
  });

  it("fails the launch of a job that is not in its definitions, leaving the run FAILURE", async () => {
    await using db = await openTempSqlite();
    const storage = await db.connect();
    await using launcher = new InProcessLauncher({ storage, definitions: defs, heartbeat: testHeartbeat(storage) });
    const run = await queueRun(storage, "missing_job");
    await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue();
    const ended = await waitForRunEnd(storage, run.runId);
    expect(ended.status).toBe("FAILURE");
    const [failure] = await storage.getEventRecords({ eventType: "RUN_FAILURE", runIds: [run.runId] });
    expect(failure?.entry.message).toBe(
      `Launching run "${run.runId}" of job "missing_job" with the in-process launcher failed: Job "missing_job" is not in Definitions "__repository__"; known jobs: hello_job, gated_job.`,
    );
  });

  it("keeps a heartbeating run alive, and the monitor fails it once its heartbeat falls silent, naming the worker and the silence", async () => {
    await using db = await openTempSqlite();
    const storage = await db.connect();
    const heartbeat = testHeartbeat(storage, { intervalMs: 50, ttlMs: 400 });
    const launcher = new InProcessLauncher({ storage, definitions: defs, heartbeat, closeTimeoutMs: 10 });
    const run = await queueRun(storage, "gated_job");
    await new RunCoordinator({ storage, launcher, claimedBy: TEST_CLAIMER }).dequeue();
    const monitor = new RunMonitor({ storage, heartbeatTimeoutMs: 400, startTimeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 600));
    expect((await monitor.check()).failed).toEqual([]);
    // The process "dies" for storage: its heartbeat stops while the run still executes.
    await heartbeat.close();
    await new Promise((r) => setTimeout(r, 600));
    const { failed } = await monitor.check();
    expect(failed.map((f) => f.run.runId)).toEqual([run.runId]);
    release();
    await launcher.close();
    const failures = await storage.getEventRecords({ eventType: "RUN_FAILURE", runIds: [run.runId] });
    expect(failures).toHaveLength(1);
    expect(failures[0]?.entry.message).toMatch(
      new RegExp(`^Run "${run.runId}" of job "gated_job": its worker ${heartbeat.processId.replaceAll("/", "\\/")} has sent no heartbeat for [0-9.]+ s \\(runMonitoring\\.heartbeatTimeoutSeconds is 0\\.4 s\\); the run is marked failed\\.$`),
    );
    expect((await monitor.check()).failed).toEqual([]);
    expect((await storage.getRun(run.runId))?.status).toBe("FAILURE");
  });
});
