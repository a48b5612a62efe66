import { expect, it } from "vitest";
import { ErrorCode, InvalidStatusTransitionError, NotFoundError } from "../../errors/index.js";
import { EventType, RunStatus } from "../../model/index.js";
import { logEntry, newRun, statusEntry, uid, type DescribeStorageOptions } from "./fixtures.js";

/** Run status moves applied by `storeEvents`, atomically with the events. */
export function runStatusCases({ open }: DescribeStorageOptions): void {
  it("moves a run through its statuses, setting startedAt on STARTED and endedAt on SUCCESS", async () => {
    await using db = await open();
    const storage = await db.connect();
    const { runId } = await storage.addRun(newRun({ status: RunStatus.QUEUED }));
    await storage.storeEvents([statusEntry(runId, RunStatus.STARTING, 10)]);
    expect(await storage.getRun(runId)).toMatchObject({ status: RunStatus.STARTING, startedAt: null, endedAt: null });
    await storage.storeEvents([statusEntry(runId, RunStatus.STARTED, 20)]);
    expect(await storage.getRun(runId)).toMatchObject({ status: RunStatus.STARTED, startedAt: 20, endedAt: null });
    await storage.storeEvents([logEntry(runId, 25), statusEntry(runId, RunStatus.SUCCESS, 30)]);
    expect(await storage.getRun(runId)).toMatchObject({ status: RunStatus.SUCCESS, startedAt: 20, endedAt: 30 });
    expect(await storage.getRuns({ statuses: [RunStatus.SUCCESS] })).toHaveLength(1);
  });

  it("sets endedAt on FAILURE and CANCELED, leaving startedAt null for a run that never started", async () => {
    await using db = await open();
    const storage = await db.connect();
    const failed = await storage.addRun(newRun());
    const canceled = await storage.addRun(newRun({ status: RunStatus.QUEUED }));
    await storage.storeEvents([statusEntry(failed.runId, RunStatus.FAILURE, 5), statusEntry(canceled.runId, RunStatus.CANCELED, 6)]);
    expect(await storage.getRun(failed.runId)).toMatchObject({ status: RunStatus.FAILURE, startedAt: null, endedAt: 5 });
    expect(await storage.getRun(canceled.runId)).toMatchObject({ status: RunStatus.CANCELED, startedAt: null, endedAt: 6 });
  });

  it("applies several moves of one run within one batch, in order", async () => {
    await using db = await open();
    const storage = await db.connect();
    const { runId } = await storage.addRun(newRun());
    await storage.storeEvents([
      statusEntry(runId, RunStatus.STARTING, 1),
      statusEntry(runId, RunStatus.STARTED, 2),
      statusEntry(runId, RunStatus.CANCELING, 3),
      statusEntry(runId, RunStatus.CANCELED, 4),
    ]);
    expect(await storage.getRun(runId)).toMatchObject({ status: RunStatus.CANCELED, startedAt: 2, endedAt: 4 });
  });

  it("takes the status from a run event type when runStatus is omitted", async () => {
    await using db = await open();
    const storage = await db.connect();
    const { runId } = await storage.addRun(newRun());
    await storage.storeEvents([{ runId, jobName: "job_a", timestamp: 7, level: "INFO", message: "started", event: { eventType: EventType.RUN_START } }]);
    expect(await storage.getRun(runId)).toMatchObject({ status: RunStatus.STARTED, startedAt: 7 });
  });

  it("rejects an invalid move and writes nothing", async () => {
    await using db = await open();
    const storage = await db.connect();
    const { runId } = await storage.addRun(newRun());
    await storage.storeEvents([statusEntry(runId, RunStatus.STARTED, 1), statusEntry(runId, RunStatus.SUCCESS, 2)]);
    const before = await storage.getMaxStorageId();
    const error = await storage.storeEvents([statusEntry(runId, RunStatus.STARTED, 3)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStatusTransitionError);
    expect((error as InvalidStatusTransitionError).code).toBe(ErrorCode.INVALID_STATUS_TRANSITION);
    expect((error as Error).message).toBe(`Run "${runId}" cannot move from SUCCESS to STARTED; from SUCCESS it may only move to nothing (it has finished).`);
    expect(await storage.getMaxStorageId()).toBe(before);
    expect(await storage.getRun(runId)).toMatchObject({ status: RunStatus.SUCCESS, startedAt: 1, endedAt: 2 });
  });

  it("writes none of a batch whose second entry is an invalid move", async () => {
    await using db = await open();
    const storage = await db.connect();
    const { runId } = await storage.addRun(newRun({ status: RunStatus.QUEUED }));
    const error = await storage
      .storeEvents([statusEntry(runId, RunStatus.STARTING, 1), statusEntry(runId, RunStatus.QUEUED, 2), logEntry(runId, 3)])
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `Run "${runId}" cannot move from STARTING to QUEUED; from STARTING it may only move to STARTED, FAILURE, CANCELING, CANCELED.`,
    );
    expect(await storage.getMaxStorageId()).toBe(0);
    expect(await storage.getRunEvents(runId)).toEqual([]);
    expect(await storage.getRun(runId)).toMatchObject({ status: RunStatus.QUEUED, startedAt: null });
  });

  it("rejects a status event of an unknown run and writes nothing", async () => {
    await using db = await open();
    const storage = await db.connect();
    const runId = uid("ghost");
    const error = await storage.storeEvents([logEntry(runId), statusEntry(runId, RunStatus.STARTED, 1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe(`Run "${runId}" does not exist; store it with addRun before storing its status events.`);
    expect(await storage.getMaxStorageId()).toBe(0);
  });

  it("stores plain events of runs it does not know", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [record] = await storage.storeEvents([logEntry("external-run")]);
    expect(await storage.getRunEvents("external-run")).toEqual([record]);
  });
}
