import { describe, expect, it } from "vitest";
import {
  EventType,
  Instance,
  RunStatus,
  buildRunStatusSensorContext,
  buildSensorContext,
  type RunFailureSensorContext,
} from "vigil";
import { myAssetSensor, myTableJob } from "./asset-sensor.js";
import { multiAssetSensorExample, tableAJob, tableBJob, tablesAAndB } from "./multi-asset-sensor.js";
import { myNotifyOnRunSuccess } from "./run-status-sensor.js";
import { myNotifyOnRunFailure } from "./failure-sensor.js";
import { myEmailFailureSensor, myEmailSensor, myJobFails, myJobSucceeds } from "./testing-run-status-sensors.js";
import { notifications } from "./notify.js";
import { defs } from "./defs.js";

describe("asset sensor", () => {
  it("requests a run per new materialization of my_table, keyed by its storage id", async () => {
    await using instance = await Instance.ephemeral();
    const context = buildSensorContext({ instance });
    expect((await myAssetSensor.evaluate(context)).skipReason?.message).toBe('No new materialization events found for asset key "my_table".');

    await myTableJob.executeInProcess({ instance });
    const [record] = await instance.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: "my_table", limit: 1 });
    const evaluation = await myAssetSensor.evaluate(context);
    expect(evaluation.cursor).toBe(String(record!.storageId));
    expect(evaluation.runRequests.map((r) => [r.runKey, r.jobName, r.runConfig])).toEqual([
      [String(record!.storageId), "my_job", { ops: { read_materialization: { config: { asset_key: ["my_table"] } } } }],
    ]);
    expect((await myAssetSensor.evaluate(context)).runRequests).toEqual([]);
  });
});

describe("multi-asset sensors", () => {
  it("requests a run once both tables were materialized since the last one (plain sensor, JSON cursor)", async () => {
    await using instance = await Instance.ephemeral();
    const context = buildSensorContext({ instance });
    await tableAJob.executeInProcess({ instance });
    expect((await multiAssetSensorExample.evaluate(context)).skipReason?.message).toBe("Sensor function returned an empty result");
    await tableBJob.executeInProcess({ instance });
    const fired = await multiAssetSensorExample.evaluate(context);
    expect(fired.runRequests).toHaveLength(1);
    expect(Object.keys(JSON.parse(fired.cursor!) as object)).toEqual(["a", "b"]);
    expect((await multiAssetSensorExample.evaluate(context)).runRequests).toEqual([]);
    await tableAJob.executeInProcess({ instance });
    await tableBJob.executeInProcess({ instance });
    expect((await multiAssetSensorExample.evaluate(context)).runRequests).toHaveLength(1);
  });

  it("does the same with multiAssetSensor", async () => {
    await using instance = await Instance.ephemeral();
    const context = buildSensorContext({ instance });
    await tableAJob.executeInProcess({ instance });
    expect((await tablesAAndB.evaluate(context)).skipReason?.message).toBe("Waiting for both table_a and table_b.");
    await tableBJob.executeInProcess({ instance });
    expect((await tablesAAndB.evaluate(context)).runRequests).toHaveLength(1);
    expect((await tablesAAndB.evaluate(context)).skipReason?.message).toBe("Waiting for both table_a and table_b.");
  });
});

describe("run status sensors", () => {
  it("tests a success sensor with executeInProcess and buildRunStatusSensorContext", async () => {
    await using instance = await Instance.ephemeral();
    // execute the job
    const result = await myJobSucceeds.executeInProcess({ instance });
    // retrieve the run and its success event, and build the context
    const runStatusSensorContext = buildRunStatusSensorContext({
      sensorName: "my_email_sensor",
      instance,
      run: result.run,
      event: result.getJobSuccessEvent(),
    });
    notifications.length = 0;
    // run the sensor
    await myEmailSensor.evaluate(runStatusSensorContext);
    expect(notifications).toEqual(['Job "my_job_succeeds" succeeded.']);
  });

  it("tests a failure sensor with forRunFailure(), the message carrying the op's error", async () => {
    await using instance = await Instance.ephemeral();
    const result = await myJobFails.executeInProcess({ instance, raiseOnError: false });
    expect(result.success).toBe(false);
    const runFailureSensorContext: RunFailureSensorContext = buildRunStatusSensorContext({
      sensorName: "my_email_failure_sensor",
      instance,
      run: result.run,
      event: result.getJobFailureEvent(),
    }).forRunFailure();
    notifications.length = 0;
    await myEmailFailureSensor.evaluate(runFailureSensorContext);
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatch(/^Job "my_job_fails" failed\. Error: .*failure!/);
    expect((await runFailureSensorContext.getStepFailureEvents()).length).toBeGreaterThan(0);
  });

  it("reports each new status event once on the daemon's path, after initiating", async () => {
    await using instance = await Instance.ephemeral();
    const jobNames = defs.jobs.map((j) => j.name);
    const successContext = buildSensorContext({ instance, definitionsJobNames: jobNames });
    const failureContext = buildSensorContext({ instance, definitionsJobNames: jobNames });
    await myJobSucceeds.executeInProcess({ instance });
    expect((await myNotifyOnRunSuccess.evaluate(successContext)).skipReason?.message).toMatch(/^Initiating my_notify_on_run_success\./);
    expect((await myNotifyOnRunFailure.evaluate(failureContext)).skipReason?.message).toMatch(/^Initiating my_notify_on_run_failure\./);

    notifications.length = 0;
    const ok = await myJobSucceeds.executeInProcess({ instance });
    const failed = await myJobFails.executeInProcess({ instance, raiseOnError: false });
    const success = await myNotifyOnRunSuccess.evaluate(successContext);
    const failure = await myNotifyOnRunFailure.evaluate(failureContext);
    expect(success.handledRunEvents?.map((h) => h.runId)).toEqual([ok.runId]);
    expect(failure.handledRunEvents?.map((h) => h.runId)).toEqual([failed.runId]);
    expect(notifications[0]).toBe('Job "my_job_succeeds" succeeded.');
    expect(notifications[1]).toMatch(/^Job "my_job_fails" failed\. Error: .*failure!/);
    expect((await myNotifyOnRunSuccess.evaluate(successContext)).handledRunEvents).toEqual([]);
    expect(ok.run.status).toBe(RunStatus.SUCCESS);
  });
});
