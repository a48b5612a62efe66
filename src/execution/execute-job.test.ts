import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { registerInProcessExecutor } from "../definitions/in-process-executor.js";
import { job } from "../definitions/job.js";
import { op } from "../definitions/op.js";
import { resource } from "../definitions/resource.js";
import { RunConfigValidationError, UserCodeError } from "../errors/index.js";
import { AssetMaterialization, EventType, RunStatus } from "../model/index.js";
import { openSqliteStorage } from "../storage/dialects/sqlite.js";
import type { Storage } from "../storage/storage.js";
import { executeJobInProcess } from "./execute-in-process.js";
import { executeRun } from "./execute-job.js";

let dir: string;
let storage: Storage;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "vigil-exec-"));
  storage = await openSqliteStorage({ path: join(dir, "vigil.db") });
  registerInProcessExecutor((j, options) => executeJobInProcess(j, { ...options, storage }));
});

afterEach(async () => {
  registerInProcessExecutor(null);
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const extract = op({ name: "extract" }, async () => [1, 2, 3]);
const total = op({ name: "total" }, (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
const etl = job({ name: "etl", tags: { team: "data", env: "dev" } }, () => total(extract()));

const fails = op({ name: "fails" }, () => {
  throw new Error("failure!");
});
const after = op({ name: "after" }, (_ctx, x: unknown) => x);
const failing = job({ name: "my_job" }, () => after(fails()));

describe("executeInProcess", () => {
  test("runs a two-op job and stores its events in order", async () => {
    const result = await etl.executeInProcess({ tags: { env: "prod" } });
    expect(result.success).toBe(true);
    expect(result.outputFor("total")).toBe(6);
    expect(result.outputFor("extract")).toEqual([1, 2, 3]);
    expect(result.run).toMatchObject({ runId: result.runId, jobName: "etl", status: RunStatus.SUCCESS, tags: { team: "data", env: "prod" } });
    expect(result.run.endedAt).toEqual(expect.any(Number));
    expect(result.allEvents.map((e) => [e.event?.eventType, e.stepKey])).toEqual([
      [EventType.RUN_START, undefined],
      [EventType.STEP_START, "extract"],
      [EventType.STEP_OUTPUT, "extract"],
      [EventType.STEP_SUCCESS, "extract"],
      [EventType.STEP_START, "total"],
      [EventType.STEP_OUTPUT, "total"],
      [EventType.STEP_SUCCESS, "total"],
      [EventType.RUN_SUCCESS, undefined],
    ]);
    expect(result.allEvents[5]?.event?.output).toBe(6);
    expect(result.allEvents[6]?.event?.durationMs).toEqual(expect.any(Number));
    expect(result.getJobSuccessEvent().message).toBe('Finished execution of run for "etl".');
    expect(() => result.getJobFailureEvent()).toThrow(`Run "${result.runId}" of job "etl" did not fail (it is SUCCESS), so it has no RUN_FAILURE event.`);
    expect(() => result.outputFor("nope")).toThrow('Op "nope" is not in job "etl"; known ops: extract, total.');
  });

  test("with raiseOnError false, records a failing op and skips what depends on it", async () => {
    const result = await failing.executeInProcess({ raiseOnError: false });
    expect(result.success).toBe(false);
    expect(result.run.status).toBe(RunStatus.FAILURE);
    const failure = result.getJobFailureEvent();
    expect(failure.message).toBe('Execution of run for "my_job" failed. Op "fails" failed: failure!');
    expect(failure.event?.error?.message).toBe("failure!");
    const stepFailure = result.allEvents.find((e) => e.event?.eventType === EventType.STEP_FAILURE);
    expect(stepFailure?.message).toBe('Op "fails" failed: failure!');
    expect(stepFailure?.event?.error?.message).toBe("failure!");
    expect(stepFailure?.event?.error?.stack).toContain("execute-job.test.ts");
    expect(result.allEvents.filter((e) => e.stepKey === "after").map((e) => [e.event?.eventType, e.message])).toEqual([
      [EventType.LOG, 'Skipping op "after" because upstream op "fails" did not succeed.'],
    ]);
    expect(() => result.outputFor("fails")).toThrow(`Op "fails" produced no output in run "${result.runId}" because it did not succeed; check result.success and its STEP_FAILURE event.`);
  });

  test("with raiseOnError, rethrows the op's error as a UserCodeError after storing the events", async () => {
    const error = await failing.executeInProcess().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserCodeError);
    expect(error).toMatchObject({ message: 'Error in op "fails": failure!', definitionName: "fails", userMessage: "failure!" });
    expect((error as Error).stack).toContain("execute-job.test.ts");
    const [run] = await storage.getRuns({ jobName: "my_job" });
    expect(run?.status).toBe(RunStatus.FAILURE);
  });

  test("starts independent ops concurrently", async () => {
    let startA!: () => void;
    let startB!: () => void;
    const aStarted = new Promise<void>((resolve) => (startA = resolve));
    const bStarted = new Promise<void>((resolve) => (startB = resolve));
    // Each waits for the other to start: run one after the other, this deadlocks.
    const a = op({ name: "a" }, async () => {
      startA();
      await bStarted;
      return "a";
    });
    const b = op({ name: "b" }, async () => {
      startB();
      await aStarted;
      return "b";
    });
    const both = op({ name: "both" }, (_ctx, x: string, y: string) => x + y);
    const parallel = job({ name: "parallel" }, () => both(a(), b()));
    const result = await parallel.executeInProcess();
    expect(result.outputFor("both")).toBe("ab");
  });

  test("passes typed config, logs and materializations to ops", async () => {
    const processFile = op({ name: "process_file", config: z.object({ filename: z.string(), rows: z.number().default(10) }) }, (context) => {
      context.log.info(`processing ${context.opConfig.filename}`);
      context.log.warning(`in ${context.jobName}/${context.opName}`);
      context.logEvent(new AssetMaterialization({ assetKey: "my_table", metadata: { rows: context.opConfig.rows } }));
      return context.runId;
    });
    const logFileJob = job({ name: "log_file_job" }, () => processFile());
    const result = await logFileJob.executeInProcess({ runConfig: { ops: { process_file: { config: { filename: "a.csv" } } } } });
    expect(result.outputFor("process_file")).toBe(result.runId);
    expect(result.allEvents.filter((e) => e.event?.eventType === EventType.LOG).map((e) => [e.level, e.message])).toEqual([
      ["INFO", "processing a.csv"],
      ["WARNING", "in log_file_job/process_file"],
    ]);
    const materialization = result.allEvents.find((e) => e.event?.eventType === EventType.ASSET_MATERIALIZATION);
    expect(materialization?.event?.assetKey?.path).toEqual(["my_table"]);
    expect(result.assetMaterializations.map((m) => [m.assetKey.toString(), m.metadata])).toEqual([["my_table", { rows: 10 }]]);
    expect(result.run.runConfig).toEqual({ ops: { process_file: { config: { filename: "a.csv" } } } });
  });

  test("throws on invalid run config before creating a run", async () => {
    const processFile = op({ name: "process_file", config: z.object({ filename: z.string() }) }, () => 1);
    const logFileJob = job({ name: "log_file_job" }, () => processFile());
    await expect(logFileJob.executeInProcess({ runConfig: { ops: { process_file: { config: {} as never } } } })).rejects.toThrow(
      new RunConfigValidationError("log_file_job", [{ path: "ops.process_file.config.filename", message: "missing required value (expected string)" }]),
    );
    expect(await storage.countRuns()).toBe(0);
  });
});

describe("resources in a run", () => {
  test("are built once with run config, given to the ops that require them, and torn down after", async () => {
    const log: string[] = [];
    const db = resource({
      config: z.object({ url: z.string() }),
      requiredResourceKeys: ["creds"],
      init: ({ config, resources }) => {
        log.push(`init db ${config.url} ${String(resources.creds)}`);
        return { url: config.url };
      },
      teardown: () => void log.push("teardown db"),
    });
    const read = op({ name: "read", requiredResourceKeys: ["db"] }, (context) => (context.resources.db as { url: string }).url);
    const twice = job({ name: "twice", resources: { db, creds: "secret" } }, () => {
      read();
      read();
    });
    const result = await twice.executeInProcess({ runConfig: { resources: { db: { config: { url: "sqlite://x" } } } } });
    expect([result.outputFor("read"), result.outputFor("read_2")]).toEqual(["sqlite://x", "sqlite://x"]);
    expect(log).toEqual(["init db sqlite://x secret", "teardown db"]);
  });

  test("fail the run with a clear message when an init throws", async () => {
    const broken = resource({
      init: () => {
        throw new Error("connection refused");
      },
    });
    const read = op({ name: "read", requiredResourceKeys: ["db"] }, () => 1);
    const j = job({ name: "needs_db", resources: { db: broken } }, () => read());
    const result = await j.executeInProcess({ raiseOnError: false });
    expect(result.success).toBe(false);
    expect(result.getJobFailureEvent().message).toBe('Execution of run for "needs_db" failed. Resource "db" failed to initialise: connection refused');
    expect(result.allEvents.map((e) => e.event?.eventType)).toEqual([EventType.RUN_START, EventType.RUN_FAILURE]);
    await expect(j.executeInProcess()).rejects.toThrow('Error in resource "db": connection refused');
  });

  test("run resources win over the job's own", async () => {
    const read = op({ name: "read", requiredResourceKeys: ["n"] }, (context) => context.resources.n);
    const j = job({ name: "override", resources: { n: 1 } }, () => read());
    expect((await j.executeInProcess({ resources: { n: 2 } })).outputFor("read")).toBe(2);
  });
});

describe("executeRun", () => {
  test("executes an existing queued run", async () => {
    await storage.addRun({ runId: "r1", jobName: "etl", status: RunStatus.QUEUED, tags: {}, runConfig: {}, createdAt: Date.now() });
    const outcome = await executeRun(etl, "r1", storage);
    expect(outcome.success).toBe(true);
    expect((await storage.getRun("r1"))?.status).toBe(RunStatus.SUCCESS);
    await expect(executeRun(etl, "r1", storage)).rejects.toThrow('Run "r1" is SUCCESS; only a run that is NOT_STARTED, QUEUED, STARTING, CANCELING can be executed.');
    await expect(executeRun(etl, "nope", storage)).rejects.toThrow('Run "nope" does not exist; create it (storage.addRun) before executing it.');
  });

  test("marks a stored run with invalid config FAILURE and throws", async () => {
    await storage.addRun({ runId: "r2", jobName: "etl", status: RunStatus.NOT_STARTED, tags: {}, runConfig: { ops: { nope: {} } }, createdAt: Date.now() });
    const message = 'Run config for job "etl" is invalid (1 error): ops.nope: op "nope" is not in job "etl"; known ops: extract, total.';
    await expect(executeRun(etl, "r2", storage)).rejects.toThrow(message);
    expect((await storage.getRun("r2"))?.status).toBe(RunStatus.FAILURE);
    const events = await storage.getRunEvents("r2");
    expect(events.map((r) => r.entry.message)).toEqual([`Execution of run for "etl" failed. ${message}`]);
  });
});
