// Real files for launcher tests: a temp "user project" whose defs module imports "vigil", and a
// temp SQLite storage that worker processes can open too.
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { newProcessId, registrationOf } from "../../src/execution/process-identity.js";
import { RunHeartbeat } from "../../src/execution/run-heartbeat.js";
import { EventType, ProcessKind, RunStatus, type Run } from "../../src/model/index.js";
import { openSqliteStorage } from "../../src/storage/dialects/sqlite.js";
import type { SqlStorage } from "../../src/storage/sql-storage.js";
import type { StorageOpener } from "../../src/launchers/storage-opener.js";

const repoRoot = resolve(import.meta.dirname, "../..");

/** The defs module most tests load: a quick job, a failing job and a job that waits a minute. */
export const DEFS_SOURCE = `import { Definitions, job, op } from "vigil";
const hello = op({ name: "hello" }, (context) => {
  context.log.info("hello from worker " + process.pid);
  return 1;
});
const boom = op({ name: "boom" }, () => {
  throw new Error("boom in op");
});
const sleepy = op({ name: "sleepy" }, async () => {
  await new Promise((r) => setTimeout(r, 60_000));
});
export const helloJob = job({ name: "hello_job" }, () => { hello(); });
export const failingJob = job({ name: "failing_job" }, () => { boom(); });
export const sleepyJob = job({ name: "sleepy_job" }, () => { sleepy(); });
export default new Definitions({ jobs: [helloJob, failingJob, sleepyJob] });
`;

/** A temp folder laid out like a user project that depends on vigil (this repo). */
export class TempProject implements Disposable {
  readonly dir = mkdtempSync(join(tmpdir(), "vigil-launchers-"));

  constructor() {
    writeFileSync(join(this.dir, "package.json"), JSON.stringify({ name: "user-project", type: "module", private: true }));
    mkdirSync(join(this.dir, "node_modules"));
    symlinkSync(repoRoot, join(this.dir, "node_modules", "vigil"), "dir");
  }

  /** Writes `source` to `name` in the project and returns its absolute path. */
  write(name: string, source: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, source);
    return path;
  }

  [Symbol.dispose](): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A SQLite storage in the project folder, with the opener a worker process uses to reach it. */
export async function openProjectStorage(project: TempProject): Promise<{ storage: SqlStorage; opener: StorageOpener; path: string }> {
  const path = join(project.dir, "home", "vigil.db");
  const storage = await openSqliteStorage({ path });
  const opener: StorageOpener = {
    module: pathToFileURL(join(repoRoot, "src/storage/dialects/sqlite.js")).href,
    exportName: "openSqliteStorage",
    options: { path },
  };
  return { storage, opener, path };
}

/** Stores a QUEUED run of `jobName` and returns it. */
export async function queueRun(storage: SqlStorage, jobName: string, tags: Record<string, string> = {}): Promise<Run> {
  const runId = `run-${randomUUID()}`;
  await storage.addRun({ runId, jobName, status: RunStatus.NOT_STARTED, tags, runConfig: {}, createdAt: Date.now() });
  await storage.storeEvents([{ runId, jobName, timestamp: Date.now(), level: "DEBUG", message: "queued", event: { eventType: EventType.RUN_ENQUEUED, runStatus: RunStatus.QUEUED } }]);
  return (await storage.getRun(runId)) as Run;
}

/** Moves a run to STARTING, as the coordinator does, and returns it. */
export async function claimRun(storage: SqlStorage, run: Run): Promise<Run> {
  await storage.storeEvents([{ runId: run.runId, jobName: run.jobName, timestamp: Date.now(), level: "DEBUG", message: "starting", event: { eventType: EventType.RUN_STARTING, runStatus: RunStatus.STARTING } }]);
  return (await storage.getRun(run.runId)) as Run;
}

/** Polls until the run is finished (SUCCESS, FAILURE, CANCELED). */
export async function waitForRunEnd(storage: SqlStorage, runId: string, timeoutMs = 20_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await storage.getRun(runId);
    if (run !== null && ["SUCCESS", "FAILURE", "CANCELED"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The event types of a run, in order. */
export async function eventTypes(storage: SqlStorage, runId: string): Promise<(string | undefined)[]> {
  return (await storage.getRunEvents(runId)).map((r) => r.entry.event?.eventType);
}

/** A run heartbeat for this test process on `storage` (fast: tests judge silence in seconds). */
export function testHeartbeat(storage: SqlStorage, timing: { intervalMs: number; ttlMs: number } = { intervalMs: 200, ttlMs: 5_000 }): RunHeartbeat {
  return new RunHeartbeat({ storage, process: registrationOf(newProcessId(), ProcessKind.RUNNER), ...timing });
}

/** The claimer id the launcher tests claim runs as. */
export const TEST_CLAIMER = "test-host/1/claimer";

/** How subprocess workers of launcher tests heartbeat. */
export const TEST_WORKER_HEARTBEAT = { intervalMs: 200, ttlMs: 5_000 };
