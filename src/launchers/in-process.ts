import type { Definitions } from "../definitions/definitions.js";
import { InvalidArgumentError, toError } from "../errors/index.js";
import { executeRun } from "../execution/index.js";
import type { Run } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { thisHost } from "../execution/process-identity.js";
import type { RunHeartbeat } from "../execution/run-heartbeat.js";
import { acquireOwnerId, releaseOwnerId, setOwnerTerminator } from "./launcher-owner.js";
import { markRunFailed } from "../execution/mark-run-failed.js";
import { WorkerTag, type RunLauncher } from "./run-launcher.js";

/** Options of `new InProcessLauncher(...)`. */
export interface InProcessLauncherOptions {
  storage: Storage;
  definitions: Definitions;
  /** This process's run heartbeat: runs are recorded under its process id and tracked by it while they execute. */
  heartbeat: RunHeartbeat;
  /** How long `close()` waits for in-flight runs before abandoning them. @defaultValue 30_000 */
  closeTimeoutMs?: number;
}

/**
 * Executes runs in this process with `executeRun` (ephemeral instances, tests, and a daemon given a
 * `Definitions` object). `launch()` resolves once the run has started; its events go to storage.
 * Runs heartbeat through `heartbeat`; a run left unfinished when the process dies falls silent and
 * is failed by the `RunMonitor`.
 *
 * @example
 * const launcher = new InProcessLauncher({ storage: instance.storage, definitions: defs });
 * await launcher.launch(run);
 * await launcher.close(); // waits for the run
 */
export class InProcessLauncher implements RunLauncher, AsyncDisposable {
  readonly kind = "in-process" as const;
  /** Recorded on every run it launches (`vigil/launcher_owner`). */
  readonly ownerId: string = acquireOwnerId();
  readonly #storage: Storage;
  readonly #definitions: Definitions;
  readonly #heartbeat: RunHeartbeat;
  readonly #closeTimeoutMs: number;
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #cancels = new Map<string, AbortController>();
  #closed = false;

  constructor(options: InProcessLauncherOptions) {
    this.#storage = options.storage;
    this.#definitions = options.definitions;
    this.#heartbeat = options.heartbeat;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
    setOwnerTerminator(this.ownerId, (runId) => this.terminate(runId));
  }

  /** Ids of the runs started and not finished yet. */
  get inFlightRunIds(): string[] {
    return [...this.#inFlight.keys()];
  }

  async launch(run: Run): Promise<void> {
    if (this.#closed) throw new InvalidArgumentError(`The in-process launcher is closed, so it cannot launch run "${run.runId}"; launch it with an open launcher.`);
    const job = this.#definitions.getJob(run.jobName);
    // The executing process is registered before the run names it: a monitor can always judge the run.
    await this.#heartbeat.register();
    await this.#storage.assignRunWorker(run.runId, this.#heartbeat.processId, {
      [WorkerTag.LAUNCHER]: this.kind,
      [WorkerTag.LAUNCHER_OWNER]: this.ownerId,
      [WorkerTag.WORKER_HOST]: thisHost,
      [WorkerTag.WORKER_PID]: String(process.pid),
      [WorkerTag.WORKER_ID]: this.#heartbeat.processId,
    });
    const cancel = new AbortController();
    this.#cancels.set(run.runId, cancel);
    const execution = executeRun(job, run.runId, this.#storage, { sharedResources: this.#definitions.resources, signal: cancel.signal, heartbeat: this.#heartbeat })
      .then(
        () => undefined,
        // executeRun records op failures itself; what reaches here is config, resources or storage.
        (error: unknown) =>
          markRunFailed(this.#storage, run, `Run "${run.runId}" of job "${run.jobName}" failed in the in-process launcher: ${toError(error).message}`, error).then(
            () => undefined,
            () => undefined,
          ),
      )
      .finally(() => {
        this.#inFlight.delete(run.runId);
        this.#cancels.delete(run.runId);
      });
    this.#inFlight.set(run.runId, execution);
  }

  /**
   * Cancels a run this launcher executes, cooperatively: no further op starts (ops running finish)
   * and the run ends `CANCELED`. Resolves with false when this launcher is not executing it.
   */
  async terminate(runId: string): Promise<boolean> {
    const cancel = this.#cancels.get(runId);
    if (cancel === undefined) return false;
    cancel.abort();
    return true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#closeTimeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled(this.#inFlight.values()), timeout]);
    clearTimeout(timer);
    // From here on, runs still executing count as abandoned: the monitor may fail them.
    releaseOwnerId(this.ownerId);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
