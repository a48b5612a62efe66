// SPEC §1.1–1.3 as a user writes them, through the public entry point.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AssetMaterialization, EventType, Instance, job, op, RunConfigValidationError, RunStatus, validateRunConfig } from "vigil";

const processFile = op({ name: "process_file", config: z.object({ filename: z.string() }) }, (context) => {
  context.log.info(`processing ${context.opConfig.filename}`);
  context.logEvent(new AssetMaterialization({ assetKey: "my_table", metadata: { rows: 10 } }));
  return 42;
});
const logFileJob = job({ name: "log_file_job" }, () => {
  processFile();
});

const extract = op({ name: "extract" }, async () => [1, 2, 3]);
const total = op({ name: "total" }, (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
const etl = job({ name: "etl" }, () => {
  total(extract());
});

const fails = op({ name: "fails" }, () => {
  throw new Error("failure!");
});
const failingJob = job({ name: "failing_job" }, () => {
  fails();
});

describe("the SPEC 1.1 example", () => {
  it("runs a configured op, logs and materializes, and stores it all in the instance", async () => {
    await using instance = await Instance.ephemeral();
    const result = await logFileJob.executeInProcess({
      instance,
      runConfig: { ops: { process_file: { config: { filename: "a.csv" } } } },
    });
    expect(result.success).toBe(true);
    expect(result.outputFor("process_file")).toBe(42);
    expect(result.run.status).toBe(RunStatus.SUCCESS);
    expect(result.run.endedAt).not.toBeNull();
    expect(result.assetMaterializations.map((m) => m.assetKey.toString())).toEqual(["my_table"]);
    expect(result.allEvents.map((e) => e.event?.eventType)).toEqual([
      EventType.RUN_START,
      EventType.STEP_START,
      EventType.LOG,
      EventType.ASSET_MATERIALIZATION,
      EventType.STEP_OUTPUT,
      EventType.STEP_SUCCESS,
      EventType.RUN_SUCCESS,
    ]);
    expect(result.allEvents.find((e) => e.event?.eventType === EventType.LOG)?.message).toBe("processing a.csv");
    expect((await instance.getLatestMaterialization("my_table"))?.entry.runId).toBe(result.runId);
    expect((await instance.getRun(result.runId))?.status).toBe(RunStatus.SUCCESS);
  });

  it("passes an op's output to the op that takes it as input", async () => {
    const result = await etl.executeInProcess();
    expect(result.outputFor("total")).toBe(6);
  });

  it("reports a failing op in the run's failure event when raiseOnError is false", async () => {
    await using instance = await Instance.ephemeral();
    const result = await failingJob.executeInProcess({ instance, raiseOnError: false });
    expect(result.success).toBe(false);
    expect(result.run.status).toBe(RunStatus.FAILURE);
    expect(result.getJobFailureEvent().message).toContain("failure!");
    const [runFailure] = await instance.getEventRecords({ eventType: EventType.RUN_FAILURE });
    expect(runFailure?.entry.message).toContain("failure!");
  });

  it("rethrows a failing op's error by default, naming the op", async () => {
    await expect(failingJob.executeInProcess()).rejects.toThrow('Error in op "fails": failure!');
  });

  it("validates run config, listing every error with its path", () => {
    expect(validateRunConfig(logFileJob, { ops: { process_file: { config: { filename: "x" } } } })).toBeTruthy();
    let caught: unknown;
    try {
      validateRunConfig(logFileJob, { ops: { process_file: { config: { filename: 3 } }, nope: {} } } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RunConfigValidationError);
    const paths = (caught as RunConfigValidationError).errors.map((e) => e.path).sort();
    expect(paths).toEqual(["ops.nope", "ops.process_file.config.filename"]);
  });
});
