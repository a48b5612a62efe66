// An in-memory InstanceReader for unit tests of sensors (src/definitions may not import the
// instance layer). It follows the storage contract: strict bounds, newest first unless ascending.
import { AssetKey, EventType, type EventLogEntry, type EventLogRecord, type EventRecordsQuery, type Run, type RunStatus } from "../../src/model/index.js";
import type { InstanceReader } from "../../src/definitions/instance-reader.js";

export class MemoryInstanceReader implements InstanceReader {
  readonly records: EventLogRecord[] = [];
  readonly runs = new Map<string, Run>();
  /** Every getEventRecords query, for assertions. */
  readonly queries: EventRecordsQuery[] = [];
  #nextId = 1;

  add(entry: EventLogEntry): EventLogRecord {
    const record = { storageId: this.#nextId++, entry };
    this.records.push(record);
    return record;
  }

  materialize(assetKey: string, runId = "run_m"): EventLogRecord {
    return this.add({
      runId,
      jobName: "producer",
      timestamp: Date.now(),
      level: "INFO",
      message: `materialized ${assetKey}`,
      event: { eventType: EventType.ASSET_MATERIALIZATION, assetKey: AssetKey.from(assetKey).path },
    });
  }

  addRun(runId: string, jobName: string, status: RunStatus): Run {
    const run: Run = { runId, jobName, status, tags: {}, runConfig: {}, createdAt: Date.now(), startedAt: Date.now(), endedAt: Date.now() };
    this.runs.set(runId, run);
    return run;
  }

  statusEvent(runId: string, eventType: EventType, message = `${eventType} of ${runId}`): EventLogRecord {
    const run = this.runs.get(runId);
    return this.add({ runId, jobName: run?.jobName ?? "unknown", timestamp: Date.now(), level: "INFO", message, event: { eventType } });
  }

  async getRun(runId: string): Promise<Run | null> {
    return this.runs.get(runId) ?? null;
  }

  async getRuns(): Promise<Run[]> {
    return [...this.runs.values()].reverse();
  }

  async getEventRecords(query: EventRecordsQuery): Promise<EventLogRecord[]> {
    this.queries.push(query);
    const key = query.assetKey === undefined ? null : AssetKey.from(query.assetKey).toString();
    let out = this.records.filter(
      (r) =>
        r.entry.event?.eventType === query.eventType &&
        (key === null || (r.entry.event.assetKey ?? []).join("/") === key) &&
        (query.afterCursor === undefined || r.storageId > query.afterCursor) &&
        (query.beforeCursor === undefined || r.storageId < query.beforeCursor) &&
        (query.runIds === undefined || query.runIds.includes(r.entry.runId)),
    );
    out = query.ascending === true ? out : [...out].reverse();
    return query.limit === undefined ? out : out.slice(0, query.limit);
  }

  async getLatestMaterialization(assetKey: string): Promise<EventLogRecord | null> {
    return (await this.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey, limit: 1 }))[0] ?? null;
  }

  async getRunEvents(runId: string): Promise<EventLogRecord[]> {
    return this.records.filter((r) => r.entry.runId === runId);
  }
}
