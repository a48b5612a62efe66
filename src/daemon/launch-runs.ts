import type { Definitions } from "../definitions/definitions.js";
import { InvalidStatusTransitionError, serializeError, toError } from "../errors/index.js";
import { executeRun } from "../execution/index.js";
import { EventType, RunStatus, RunTag, isTerminalRunStatus, type Run } from "../model/index.js";
import type { Storage } from "../storage/storage.js";

/**
 * What the daemon hands claimed runs to: structurally the launchers' `RunLauncher`, so the
 * instance's in-process or subprocess launcher fits. `launch` gets a run already in `STARTING`.
 */
export interface DaemonRunLauncher {
  /** `in-process` launchers execute in the daemon's process: their orphans are the daemon's to recover. */
  readonly kind: string;
  launch(run: Run): Promise<void>;
  close(): Promise<void>;
}

const CLAIM_MARK = "Run claimed for launch by daemon ";

/**
 * @internal Moves `run` from `QUEUED` to `STARTING` (a `RUN_STARTING` event; storage checks the
 * transition inside its transaction, so of two claimers exactly one wins). Returns the claimed run,
 * or null when it was not `QUEUED` any more (someone else launched it): nothing is launched twice.
 */
export async function claimQueuedRun(storage: Storage, run: Run, daemonId: string, launcherKind: string): Promise<Run | null> {
  try {
    await storage.storeEvents([
      {
        runId: run.runId,
        jobName: run.jobName,
        timestamp: Date.now(),
        level: "DEBUG",
        message: `${CLAIM_MARK}${daemonId} (${launcherKind} launcher).`,
        event: { eventType: EventType.RUN_STARTING, runStatus: RunStatus.STARTING },
      },
    ]);
  } catch (error) {
    if (error instanceof InvalidStatusTransitionError) return null;
    throw error;
  }
  return { ...run, status: RunStatus.STARTING };
}

/** @internal Marks a run FAILURE with `message`, unless it has already finished. Never throws. */
export async function failRun(storage: Storage, run: Run, message: string, cause?: unknown): Promise<void> {
  try {
    const current = await storage.getRun(run.runId);
    if (current === null || isTerminalRunStatus(current.status)) return;
    await storage.storeEvents([
      {
        runId: run.runId,
        jobName: run.jobName,
        timestamp: Date.now(),
        level: "ERROR",
        message,
        event: { eventType: EventType.RUN_FAILURE, runStatus: RunStatus.FAILURE, error: serializeError(cause ?? new Error(message)) },
      },
    ]);
  } catch {
    // Lost a race with the run's own end, or storage is down: the run monitor settles it later.
  }
}

/**
 * Executes runs in the daemon's process with `executeRun`: what a daemon given a `Definitions`
 * object uses (a worker process would need a module to load). `close()` waits for running runs.
 */
export class DaemonInProcessLauncher implements DaemonRunLauncher {
  readonly kind = "in-process";
  readonly #storage: Storage;
  readonly #definitions: Definitions;
  readonly #running = new Set<Promise<void>>();

  constructor(storage: Storage, definitions: Definitions) {
    this.#storage = storage;
    this.#definitions = definitions;
  }

  async launch(run: Run): Promise<void> {
    const job = this.#definitions.jobs.find((j) => j.name === run.jobName);
    if (job === undefined) {
      await failRun(this.#storage, run, `Run "${run.runId}" targets job "${run.jobName}", which is not in the daemon's definitions; add the job or launch the run elsewhere.`);
      return;
    }
    const execution = executeRun(job, run.runId, this.#storage, { sharedResources: this.#definitions.resources }).then(
      () => undefined,
      (error: unknown) => failRun(this.#storage, run, `Run "${run.runId}" of job "${run.jobName}" failed to execute in the daemon: ${toError(error).message}`, error),
    );
    this.#running.add(execution);
    void execution.finally(() => this.#running.delete(execution));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }
}

/**
 * @internal Recovery after a restart: the `QUEUED` runs of `sensorNames` (created by a committed
 * tick, never launched) and, for an in-process launcher, the runs another daemon process claimed
 * for in-process execution: `orphaned` ones never started (safe to launch now), `abandoned` ones
 * had started (they must fail: their process is gone). One daemon per instance is assumed until
 * sensor leases arrive. Oldest first.
 */
export async function findRunsToRecover(
  storage: Storage,
  sensorNames: ReadonlySet<string>,
  daemonId: string,
  inProcess: boolean,
): Promise<{ queued: Run[]; orphaned: Run[]; abandoned: Run[] }> {
  const ours = (r: Run) => sensorNames.has(r.tags[RunTag.SENSOR_NAME] ?? "");
  const queued = (await storage.getRuns({ statuses: [RunStatus.QUEUED] })).filter(ours).reverse();
  const orphaned: Run[] = [];
  const abandoned: Run[] = [];
  if (inProcess) {
    for (const run of (await storage.getRuns({ statuses: [RunStatus.STARTING, RunStatus.STARTED] })).filter(ours).reverse()) {
      const events = await storage.getRunEvents(run.runId);
      const claim = events.findLast((e) => e.entry.event?.eventType === EventType.RUN_STARTING)?.entry.message ?? "";
      if (!claim.startsWith(CLAIM_MARK) || claim.startsWith(`${CLAIM_MARK}${daemonId} `) || !claim.includes("(in-process launcher)")) continue;
      (run.status === RunStatus.STARTING ? orphaned : abandoned).push(run);
    }
  }
  return { queued, orphaned, abandoned };
}
