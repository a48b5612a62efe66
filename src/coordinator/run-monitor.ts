import { RunStatus, type ProcessRecord, type Run } from "../model/index.js";
import type { InFlightRun, Storage } from "../storage/storage.js";
import { markRunCanceled, markRunFailed } from "../execution/mark-run-failed.js";

/** What a local probe can say about a registered process: only "dead" is ever acted on at once. */
export type ProcessProbe = (process: ProcessRecord) => "dead" | "alive" | "unknown";

/** Options of `new RunMonitor(...)`. */
export interface RunMonitorOptions {
  storage: Storage;
  /** A run whose newest heartbeat is older than this is failed (`runMonitoring.heartbeatTimeoutSeconds`). */
  heartbeatTimeoutMs: number;
  /** A run claimed this long ago and still `STARTING` is failed (`runMonitoring.startTimeoutSeconds`). */
  startTimeoutMs: number;
  /**
   * The fast path: tells from this host whether a registered process is surely gone (same host and
   * PID namespace, pid not running). Anything else waits for the heartbeat timeout.
   * @defaultValue every process "unknown"
   */
  probe?: ProcessProbe;
  /** Asks the live worker of a `CANCELING` run to stop, where this process can (a local fast path). */
  terminate?: (run: Run) => Promise<unknown>;
}

/** What one `check()` did. */
export interface MonitorReport {
  failed: { run: Run; message: string }[];
  canceled: Run[];
}

/**
 * Judges runs in flight from what storage says, so it works for runs on any host: a `STARTING` or
 * `STARTED` run whose heartbeat is older than the heartbeat timeout, whose worker is surely gone
 * (the local fast path), whose claimer died before launching it, or that was claimed and not
 * started within the start timeout, is marked `FAILURE` with a message naming its worker and how
 * long it has been silent; a `CANCELING` run whose worker is silent or gone becomes `CANCELED`
 * (one whose worker is alive is asked to stop). Every end goes through `storeEvents`' status check,
 * so a run is ended once, whoever notices first, and run failure sensors fire once. Times are the
 * database clock's. Run it in one daemon at a time (the run monitor lease).
 *
 * @example
 * const monitor = new RunMonitor({ storage, heartbeatTimeoutMs: 60_000, startTimeoutMs: 180_000, probe: probeProcess });
 * const { failed } = await monitor.check();
 * @see docs/ownership.md
 */
export class RunMonitor {
  readonly #storage: Storage;
  readonly #heartbeatTimeoutMs: number;
  readonly #startTimeoutMs: number;
  readonly #probe: ProcessProbe;
  readonly #terminate: ((run: Run) => Promise<unknown>) | undefined;

  constructor(options: RunMonitorOptions) {
    this.#storage = options.storage;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs;
    this.#startTimeoutMs = options.startTimeoutMs;
    this.#probe = options.probe ?? (() => "unknown");
    this.#terminate = options.terminate;
  }

  /** One look at every run in flight; resolves with what it ended. */
  async check(): Promise<MonitorReport> {
    const { now, runs } = await this.#storage.getInFlightRuns();
    const report: MonitorReport = { failed: [], canceled: [] };
    if (runs.length === 0) return report;
    const ids = [...new Set(runs.flatMap((r) => [r.workerId, r.claimedBy]).filter((id): id is string => id !== null))];
    const { processes } = await this.#storage.getProcesses({ ids });
    const byId = new Map(processes.map((p) => [p.id, p]));
    for (const entry of runs) {
      const verdict = this.#judge(entry, byId, now);
      if (verdict === null) continue;
      const { run } = entry;
      if (verdict.kind === "terminate") {
        await this.#terminate?.(run).catch(() => undefined);
        continue;
      }
      const ended = verdict.kind === "cancel" ? await markRunCanceled(this.#storage, run, verdict.message) : await markRunFailed(this.#storage, run, verdict.message);
      if (!ended) continue;
      if (verdict.kind === "cancel") report.canceled.push(run);
      else report.failed.push({ run, message: verdict.message });
      // Its work-queue job, if any, must never run: a dead worker left it locked.
      if (entry.queueTask !== null) await this.#storage.removeQueueJobs([run.runId]).catch(() => undefined);
    }
    return report;
  }

  /** What to do about one run in flight, or null to leave it. */
  #judge(entry: InFlightRun, processes: ReadonlyMap<string, ProcessRecord>, now: number): { kind: "fail" | "cancel" | "terminate"; message: string } | null {
    const { run } = entry;
    const what = `Run "${run.runId}" of job "${run.jobName}"`;
    const worker = entry.workerId === null ? undefined : processes.get(entry.workerId);
    const workerName = entry.workerId === null ? "" : describeProcess(entry.workerId, worker);
    const gone = worker !== undefined && this.#probe(worker) === "dead";
    const lastSign = entry.heartbeatAt ?? entry.claimedAt ?? run.startedAt ?? run.createdAt;
    const silentMs = now - lastSign;
    const silent = silentMs > this.#heartbeatTimeoutMs;
    const silence = `has sent no heartbeat for ${seconds(silentMs)} (runMonitoring.heartbeatTimeoutSeconds is ${seconds(this.#heartbeatTimeoutMs)})`;

    if (run.status === RunStatus.CANCELING) {
      if (entry.workerId === null) return { kind: "cancel", message: `${what} was canceled before a worker started it.` };
      if (gone) return { kind: "cancel", message: `${what} was canceled; its worker ${workerName} is no longer running.` };
      if (silent) return { kind: "cancel", message: `${what} was canceled; its worker ${workerName || "(none recorded)"} ${silence}.` };
      return { kind: "terminate", message: "" };
    }
    if (entry.workerId === null && run.status === RunStatus.STARTING) {
      // Enqueued in the work queue with its claim: it waits there for a worker, whoever claimed it.
      if (entry.queueTask !== null) return null;
      const claimer = entry.claimedBy === null ? undefined : processes.get(entry.claimedBy);
      const claimerGone = claimer !== undefined && (claimer.expiresAt <= now || this.#probe(claimer) === "dead");
      if (claimerGone) {
        return { kind: "fail", message: `${what} was claimed for launch by ${describeProcess(claimer.id, claimer)}, which stopped before starting it; the run is marked failed.` };
      }
      if (now - (entry.claimedAt ?? lastSign) > this.#startTimeoutMs) return { kind: "fail", message: this.#notStarted(what, entry, now) };
      return null;
    }
    if (gone) return { kind: "fail", message: `${what}: its worker ${workerName} is no longer running (seen from this host); the run is marked failed.` };
    if (silent) return { kind: "fail", message: `${what}: its worker ${workerName || "(none recorded)"} ${silence}; the run is marked failed.` };
    if (run.status === RunStatus.STARTING && entry.claimedAt !== null && now - entry.claimedAt > this.#startTimeoutMs) {
      return { kind: "fail", message: this.#notStarted(what, entry, now) };
    }
    return null;
  }

  #notStarted(what: string, entry: InFlightRun, now: number): string {
    return `${what} was claimed ${seconds(now - (entry.claimedAt ?? now))} ago${entry.claimedBy === null ? "" : ` by ${entry.claimedBy}`} and has not started (runMonitoring.startTimeoutSeconds is ${seconds(this.#startTimeoutMs)}); the run is marked failed.`;
  }
}

/** `id (host h, pid p)` when the process registered, else the id alone. */
function describeProcess(id: string, record: ProcessRecord | undefined): string {
  return record === undefined ? id : `${id} (host ${record.host}, pid ${record.pid})`;
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 100) / 10)} s`;
}
