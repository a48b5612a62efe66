import { toError } from "../errors/index.js";
import type { ProcessRegistration } from "../model/index.js";
import type { Storage } from "../storage/storage.js";

/** Options of `new RunHeartbeat(...)`. */
export interface RunHeartbeatOptions {
  storage: Storage;
  /** The process executing runs, as it registers itself. */
  process: ProcessRegistration;
  /** How often to beat. */
  intervalMs: number;
  /** How long one beat keeps the process's registration alive (its heartbeat timeout). */
  ttlMs: number;
  /** Where a failed beat is reported. @defaultValue silent: the next beat retries */
  onError?: (error: Error) => void;
}

/** What a tracked run is told by a heartbeat's answer. */
export type StopReason = "canceling" | "ended";

/**
 * @internal
 * The heartbeat of one process executing runs: every `intervalMs` one storage write renews the
 * process's registration and the heartbeat of every run it executes (`storage.heartbeatRuns`); the
 * answer names runs asked to stop (CANCELING) or ended by others (failed by the run monitor,
 * canceled with force), and their `onStop` is called, so cancellation reaches a run on any host
 * within one interval. A run monitor elsewhere fails a run whose heartbeat falls silent.
 *
 * @example
 * const heartbeat = new RunHeartbeat({ storage, process: registrationOf(id, "runner"), intervalMs: 5000, ttlMs: 60_000 });
 * const untrack = heartbeat.track(runId, (reason) => controller.abort());
 * @see docs/ownership.md
 */
export class RunHeartbeat {
  readonly #options: RunHeartbeatOptions;
  readonly #runs = new Map<string, (reason: StopReason) => void>();
  #timer: NodeJS.Timeout | null = null;
  #beating: Promise<void> | null = null;
  #registered: Promise<void> | null = null;
  #closed = false;

  constructor(options: RunHeartbeatOptions) {
    this.#options = options;
  }

  /** The process id the runs are recorded under (`worker_id`). */
  get processId(): string {
    return this.#options.process.id;
  }

  /** The host and pid the process registered with. */
  get host(): string {
    return this.#options.process.host;
  }

  get pid(): number {
    return this.#options.process.pid;
  }

  /** Ids of the runs tracked now. */
  get runIds(): string[] {
    return [...this.#runs.keys()];
  }

  /**
   * Starts beating for `runId` (a first beat at once, so the run has a heartbeat and a worker from
   * its first moment); `onStop` is called once when a beat finds it CANCELING or ended.
   * Returns the function that stops tracking it.
   */
  track(runId: string, onStop: (reason: StopReason) => void): () => void {
    let stopped = false;
    this.#runs.set(runId, (reason) => {
      if (stopped) return;
      stopped = true;
      onStop(reason);
    });
    this.#ensureTimer();
    void this.beat();
    return () => {
      this.#runs.delete(runId);
    };
  }

  /**
   * Registers the process (once; later calls wait for the first), so its identity is in storage
   * before any run is handed to it. Unlike `beat()`, rejects when storage cannot be written.
   */
  register(): Promise<void> {
    this.#registered ??= this.#options.storage.heartbeatProcess(this.#options.process, this.#options.ttlMs).then(
      () => this.#ensureTimer(),
      (error: unknown) => {
        this.#registered = null;
        throw error;
      },
    );
    return this.#registered;
  }

  /** One beat now (joins a beat in flight). Never throws. */
  beat(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#beating ??= this.#beatOnce().finally(() => (this.#beating = null));
    return this.#beating;
  }

  async #beatOnce(): Promise<void> {
    const ids = this.runIds;
    try {
      const answer = await this.#options.storage.heartbeatRuns(this.#options.process, ids, this.#options.ttlMs);
      for (const id of answer.canceling) this.#runs.get(id)?.("canceling");
      for (const id of answer.ended) this.#runs.get(id)?.("ended");
    } catch (error) {
      this.#options.onError?.(toError(error));
    }
  }

  #ensureTimer(): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setInterval(() => void this.beat(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Stops beating and removes the process's registration (its runs, if any are left, fall silent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#beating;
    await this.#options.storage.removeProcess(this.#options.process.id).catch(() => undefined);
  }
}
