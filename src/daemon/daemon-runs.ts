import type { RunCoordinator } from "../coordinator/run-coordinator.js";
import type { RunMonitor } from "../coordinator/run-monitor.js";
import type { Definitions } from "../definitions/definitions.js";
import { toError } from "../errors/index.js";
import type { Instance } from "../instance/instance.js";
import type { RunLauncher } from "../launchers/run-launcher.js";
import type { DaemonLogger } from "./run-tick.js";
import { TickStep, crashIfRequested } from "./tick.js";

/**
 * @internal
 * The daemon's side of run launching, built from the instance (`vigil.yaml`): a launcher
 * (`instance.createRunLauncher`: in-process for a definitions object; for a module path, the
 * configured one), a `RunCoordinator` on it (concurrency limits) and a `RunMonitor`. Dequeues are
 * serialized: a request made while one runs is served by the next one, which starts after it, so
 * every committed run is seen by a dequeue that began after its commit.
 */
export class DaemonRuns {
  readonly #instance: Instance;
  readonly #given: RunLauncher | undefined;
  readonly #log: DaemonLogger;
  readonly #monitor: RunMonitor;
  #launcher: RunLauncher | null = null;
  #coordinator: RunCoordinator | null = null;
  /** Launchers replaced by a reload, closing (they wait for their runs). */
  readonly #retiring = new Set<Promise<void>>();
  /** A dequeue requested but not started yet: later requests join it. */
  #scheduled: Promise<void> | null = null;
  #last: Promise<void> = Promise.resolve();

  constructor(instance: Instance, given: RunLauncher | undefined, log: DaemonLogger) {
    this.#instance = instance;
    this.#given = given;
    this.#log = log;
    this.#monitor = instance.createRunMonitor();
  }

  /**
   * Builds the launcher and coordinator for `definitions` (or the module at `modulePath`) if not
   * built yet, or again when `replace` is set (the definitions were reloaded). A given launcher is
   * kept as it is.
   */
  async prepare(definitions: Definitions, modulePath: string | null, replace: boolean): Promise<void> {
    if (this.#launcher !== null && (!replace || this.#given !== undefined)) return;
    const launcher = this.#given ?? (await this.#instance.createRunLauncher(modulePath === null ? { definitions } : { definitionsFile: modulePath }));
    const old = this.#launcher;
    if (old !== null && old !== launcher) this.#retire(old);
    this.#launcher = launcher;
    this.#coordinator = this.#instance.createRunCoordinator(withCrashPoint(launcher));
  }

  /** Launches the `QUEUED` runs that fit the coordinator's limits; resolves when they have started. */
  dequeue(): Promise<void> {
    if (this.#scheduled !== null) return this.#scheduled;
    const next = this.#last.then(async () => {
      this.#scheduled = null;
      await this.#coordinator?.dequeue();
    });
    this.#scheduled = next;
    this.#last = next.catch(() => undefined);
    return next;
  }

  /** Fails the runs whose worker died (`RunMonitor.check`); logs rather than throws. */
  async check(): Promise<void> {
    try {
      const failed = await this.#monitor.check();
      for (const run of failed) this.#log("warn", `Run "${run.runId}" of job "${run.jobName}" lost its worker; it is marked FAILURE.`);
    } catch (error) {
      this.#log("error", `The daemon could not check in-flight runs (${toError(error).message}); it will try again.`);
    }
  }

  /** Waits for a dequeue in progress, then closes the launcher (it waits for its runs) and the replaced ones. */
  async close(): Promise<void> {
    await this.#last;
    await this.#launcher?.close();
    await Promise.allSettled([...this.#retiring]);
  }

  #retire(launcher: RunLauncher): void {
    const closing = launcher.close().catch((error: unknown) => this.#log("warn", `Closing the replaced run launcher failed: ${toError(error).message}`));
    this.#retiring.add(closing);
    void closing.finally(() => this.#retiring.delete(closing));
  }
}

/** The launcher, with the `RUN_LAUNCHED` fault injection point after each launch. */
function withCrashPoint(launcher: RunLauncher): RunLauncher {
  return {
    kind: launcher.kind,
    ...(launcher.ownerId === undefined ? {} : { ownerId: launcher.ownerId }),
    async launch(run) {
      await launcher.launch(run);
      crashIfRequested(TickStep.RUN_LAUNCHED);
    },
    close: () => launcher.close(),
  };
}
