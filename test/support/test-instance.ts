// A real, ephemeral Instance (a temporary SQLite file) with the conveniences sensor unit tests
// need: write materializations, runs and run status events through real storage, and log every
// getEventRecords query. src/definitions may not import the instance layer; its tests import this.
import type { InstanceReader } from "../../src/definitions/instance-reader.js";
import { Instance } from "../../src/instance/index.js";
import {
  AssetKey,
  EventType,
  RUN_STATUS_EVENT,
  RunStatus,
  runStatusForEvent,
  type AssetKeyLike,
  type EventLogEntry,
  type EventLogRecord,
  type EventRecordsQuery,
  type Run,
  type RunsQuery,
} from "../../src/model/index.js";

/**
 * Build one with `await TestInstance.create()` and release it with `await using` (or `close()`).
 * It is an `InstanceReader`, so pass it as a sensor context's `instance`; every read goes to the
 * real instance.
 */
export class TestInstance implements InstanceReader, AsyncDisposable {
  /** The real instance behind it. */
  readonly instance: Instance;
  /** Every getEventRecords query made through this object, in order, for assertions. */
  readonly queries: EventRecordsQuery[] = [];

  private constructor(instance: Instance) {
    this.instance = instance;
  }

  static async create(): Promise<TestInstance> {
    return new TestInstance(await Instance.ephemeral());
  }

  /** Stores one event log entry; returns it with its storage id. */
  async add(entry: EventLogEntry): Promise<EventLogRecord> {
    const [record] = await this.instance.storage.storeEvents([entry]);
    if (record === undefined) throw new Error("storeEvents returned no record");
    return record;
  }

  /** Stores an ASSET_MATERIALIZATION of `assetKey` (no run needs to exist for it). */
  materialize(assetKey: AssetKeyLike, runId = "run_m"): Promise<EventLogRecord> {
    const key = AssetKey.from(assetKey);
    return this.add({
      runId,
      jobName: "producer",
      timestamp: Date.now(),
      level: "INFO",
      message: `materialized ${key.toString()}`,
      event: { eventType: EventType.ASSET_MATERIALIZATION, assetKey: key },
    });
  }

  /**
   * Stores a run, `NOT_STARTED`, and walks it through valid moves to `status` (default `STARTED`,
   * from which every terminal status event is allowed), storing each move's status event.
   */
  async addRun(runId: string, jobName: string, status: RunStatus = RunStatus.STARTED): Promise<Run> {
    const first = status === RunStatus.QUEUED ? RunStatus.QUEUED : RunStatus.NOT_STARTED;
    await this.instance.storage.addRun({ runId, jobName, status: first, tags: {}, runConfig: {}, createdAt: Date.now() });
    const path: RunStatus[] =
      status === first
        ? []
        : status === RunStatus.STARTING || status === RunStatus.STARTED || status === RunStatus.CANCELING
          ? [status]
          : [RunStatus.STARTED, status];
    for (const to of path) await this.#storeStatusEvent(runId, jobName, to, `run ${to}`);
    return this.run(runId);
  }

  /**
   * Stores a run status event (`event.runStatus` set), which moves the run as storage allows: the
   * run must exist and be in a status from which the move is allowed.
   */
  async statusEvent(runId: string, eventType: EventType, message = `${eventType} of ${runId}`): Promise<EventLogRecord> {
    const to = runStatusForEvent(eventType);
    if (to === null) throw new Error(`${eventType} is not a run status event`);
    return this.#storeStatusEvent(runId, (await this.run(runId)).jobName, to, message);
  }

  /**
   * Stores many run status events in one transaction (one `storeEvents` call), in order; a run
   * may appear more than once to walk it through several moves.
   */
  async statusEvents(moves: readonly (readonly [runId: string, eventType: EventType])[]): Promise<EventLogRecord[]> {
    const runIds = [...new Set(moves.map(([runId]) => runId))];
    const jobNames = new Map((await this.instance.storage.getRuns({ runIds })).map((r) => [r.runId, r.jobName]));
    const entries = moves.map(([runId, eventType]): EventLogEntry => {
      const runStatus = runStatusForEvent(eventType);
      if (runStatus === null) throw new Error(`${eventType} is not a run status event`);
      const jobName = jobNames.get(runId);
      if (jobName === undefined) throw new Error(`run "${runId}" does not exist`);
      return { runId, jobName, timestamp: Date.now(), level: "INFO", message: `${eventType} of ${runId}`, event: { eventType, runStatus } };
    });
    return this.instance.storage.storeEvents(entries);
  }

  /** The stored run; throws when it does not exist. */
  async run(runId: string): Promise<Run> {
    const run = await this.instance.getRun(runId);
    if (run === null) throw new Error(`run "${runId}" does not exist`);
    return run;
  }

  #storeStatusEvent(runId: string, jobName: string, to: RunStatus, message: string): Promise<EventLogRecord> {
    const eventType = runStatusEventType(to);
    const level = to === RunStatus.FAILURE ? "ERROR" : "INFO";
    return this.add({ runId, jobName, timestamp: Date.now(), level, message, event: { eventType, runStatus: to } });
  }

  getRun(runId: string): Promise<Run | null> {
    return this.instance.getRun(runId);
  }

  getRuns(query?: RunsQuery): Promise<Run[]> {
    return this.instance.getRuns(query);
  }

  getEventRecords(query: EventRecordsQuery): Promise<EventLogRecord[]> {
    this.queries.push(query);
    return this.instance.getEventRecords(query);
  }

  getLatestMaterialization(assetKey: AssetKeyLike): Promise<EventLogRecord | null> {
    return this.instance.getLatestMaterialization(assetKey);
  }

  getRunEvents(runId: string, options?: { afterStorageId?: number; limit?: number }): Promise<EventLogRecord[]> {
    return this.instance.getRunEvents(runId, options);
  }

  close(): Promise<void> {
    return this.instance.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function runStatusEventType(status: RunStatus): EventType {
  const type = RUN_STATUS_EVENT[status];
  if (type === null) throw new Error(`no event moves a run to ${status}`);
  return type;
}
