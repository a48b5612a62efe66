import { randomUUID } from "node:crypto";
import { AssetKey, EventType, RunStatus, RUN_STATUS_EVENT, type EventLogEntry } from "../../model/index.js";
import type { SqlStorage } from "../sql-storage.js";
import type { NewRun } from "../storage.js";

/** Where a test database lives, in a form a child process can open too. */
export type StorageSpec = { dialect: "sqlite"; path: string } | { dialect: "postgres"; url: string; schema: string };

/** A fresh, empty database for one test. Disposing it closes its storages and deletes it. */
export interface TestDatabase {
  readonly spec: StorageSpec;
  /**
   * Opens (and migrates) a storage on this database; call again for a second, independent one.
   * `queue`: with the work queue (PostgreSQL only; ignored elsewhere).
   */
  connect(options?: { queue?: boolean }): Promise<SqlStorage>;
  /** Runs raw SQL on the database behind Vigil's back (to break it on purpose). */
  rawSql(statement: string): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Gaps and extras of a backend, declared rather than discovered. */
export interface StorageCapabilities {
  /** Query plans are decided without statistics, so a test can assert index use on a tiny table. */
  deterministicPlans: boolean;
}

export interface DescribeStorageOptions {
  name: string;
  /** A fresh database per call. */
  open: () => Promise<TestDatabase>;
  capabilities: StorageCapabilities;
  /** When set, the whole suite is skipped with this reason. */
  skip?: string;
}

export const uid = (prefix: string): string => `${prefix}-${randomUUID()}`;

/** A NOT_STARTED run with a unique id; override any field. */
export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    runId: uid("run"),
    jobName: "job_a",
    status: RunStatus.NOT_STARTED,
    tags: {},
    runConfig: {},
    createdAt: 1_000,
    ...overrides,
  };
}

/** A LOG entry of `runId`. */
export function logEntry(runId: string, timestamp = 1_000, message = "hello"): EventLogEntry {
  return { runId, jobName: "job_a", timestamp, level: "INFO", message, event: { eventType: EventType.LOG } };
}

/** The status event that moves `runId` to `status`. */
export function statusEntry(runId: string, status: RunStatus, timestamp: number): EventLogEntry {
  const eventType = RUN_STATUS_EVENT[status];
  if (eventType === null) throw new Error(`no event moves a run to ${status}`);
  return { runId, jobName: "job_a", timestamp, level: "INFO", message: `run ${status}`, event: { eventType, runStatus: status } };
}

/** An ASSET_MATERIALIZATION entry of `assetKey` ("a/b"). */
export function materializationEntry(runId: string, assetKey: string, timestamp = 1_000): EventLogEntry {
  const path = assetKey.split("/");
  return {
    runId,
    jobName: "job_a",
    timestamp,
    stepKey: "op_a",
    level: "INFO",
    message: `materialized ${assetKey}`,
    event: {
      eventType: EventType.ASSET_MATERIALIZATION,
      assetKey: new AssetKey(path),
      materialization: { assetKey: new AssetKey(path), description: null, metadata: { rows: 10 }, partition: null },
    },
  };
}
