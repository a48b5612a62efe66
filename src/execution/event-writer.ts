import type { EventLogEntry, LogLevel, RunEvent } from "../model/index.js";
import type { Storage } from "../storage/storage.js";

/** The fields of an entry the writer does not fill in itself. */
export interface EventInput {
  stepKey?: string;
  level: LogLevel;
  message: string;
  event?: RunEvent;
}

/**
 * @internal Writes a run's events in the order they were emitted, batching whatever accumulates
 * while a write is in flight. Ops log synchronously and run concurrently, so one ordered queue
 * keeps the stored order equal to the emitted order.
 */
export class RunEventWriter {
  private readonly storage: Storage;
  private readonly runId: string;
  private readonly jobName: string;
  private pending: EventLogEntry[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;

  constructor(storage: Storage, runId: string, jobName: string) {
    this.storage = storage;
    this.runId = runId;
    this.jobName = jobName;
  }

  /** Queues an entry; it is written soon, after every entry emitted before it. */
  emit(input: EventInput): void {
    this.pending.push(this.toEntry(input));
    if (this.pending.length === 1) this.chain = this.chain.then(() => this.flush());
  }

  /**
   * Writes a final entry after everything queued, even when an earlier write failed (so a run can
   * still be marked FAILURE); then throws the earlier storage error, if any.
   */
  async writeFinal(input: EventInput): Promise<void> {
    await this.chain;
    await this.storage.storeEvents([this.toEntry(input)]);
    if (this.failure !== null) throw this.failure.error;
  }

  private toEntry(input: EventInput): EventLogEntry {
    const entry: EventLogEntry = { runId: this.runId, jobName: this.jobName, timestamp: Date.now(), level: input.level, message: input.message };
    if (input.stepKey !== undefined) entry.stepKey = input.stepKey;
    if (input.event !== undefined) entry.event = input.event;
    return entry;
  }

  /** Waits until every queued entry is stored; throws the first storage error, if any. */
  async drain(): Promise<void> {
    await this.chain;
    if (this.failure !== null) throw this.failure.error;
  }

  /** Emits an entry and waits for it (and everything before it) to be stored. */
  async write(input: EventInput): Promise<void> {
    this.emit(input);
    await this.drain();
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    // After a failed write, later ones would break the run's order; drop them and report the first error.
    if (batch.length === 0 || this.failure !== null) return;
    try {
      await this.storage.storeEvents(batch);
    } catch (error) {
      this.failure = { error };
    }
  }
}
