import type { AssetKeyLike, EventLogRecord, EventRecordsQuery, Run, RunsQuery } from "../model/index.js";

/**
 * The read side of an `Instance`, as sensors see it through `context.instance`. Declared here,
 * structurally, because definitions load without touching storage; `Instance` implements it.
 */
export interface InstanceReader {
  getRun(runId: string): Promise<Run | null>;
  getRuns(query?: RunsQuery): Promise<Run[]>;
  getEventRecords(query: EventRecordsQuery): Promise<EventLogRecord[]>;
  getLatestMaterialization(assetKey: AssetKeyLike): Promise<EventLogRecord | null>;
  /** A run's own event log, in storage order. */
  getRunEvents(runId: string, options?: { afterStorageId?: number; limit?: number }): Promise<EventLogRecord[]>;
}
