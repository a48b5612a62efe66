import type { RunCoordinator } from "../coordinator/run-coordinator.js";
import type { RunMonitor } from "../coordinator/run-monitor.js";
import type { Definitions } from "../definitions/definitions.js";
import { toError } from "../errors/index.js";
import type { Instance } from "../instance/instance.js";
import type { RunLauncher } from "../launchers/run-launcher.js";
import { RunQueue } from "./run-queue.js";
import type { DaemonLogger } from "./run-tick.js";
import { TickStep, crashIfRequested } from "./tick.js";

/**
 * @internal
 * The daemon's side of run launching, built from the instance (`vigil.yaml`): a launcher
 * (`instance.createRunLauncher`: in-process for a definitions object; for a module path, the
 * configured one), a `RunCoordinator` on it that claims as this daemon, the `RunQueue` loop that
 * runs the coordinator whenever runs are queued or end, and a `RunMonitor` (run by the daemon that
 * holds the run monitor lease).
 */
export class DaemonRuns {
  readonly #instance: Instance;
  readonly #given: RunLauncher | undefined;
  readonly #log: DaemonLogger;
  readonly #claimedBy: string;
  readonly #monitor: RunMonitor;
  readonly #queue: RunQueue;
  #launcher: RunLauncher | null = null;
  #coordinator: RunCoordinator | null = null;
  /** Launchers replaced by a reload, closing (they wait for their runs). */
  readonly #retiring = new Set<Promise<void>>();

  constructor(instance: Instance, given: RunLauncher | undefined, log: DaemonLogger, claimedBy: string) {
    this.#instance = instance;
    this.#given = given;
    this.#log = log;
    this.#claimedBy = claimedBy;
    this.#monitor = instance.createRunMonitor();
    this.#queue = new RunQueue(() => this.#coordinator?.dequeue() ?? Promise.resolve(), log);
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
    this.#coordinator = this.#instance.createRunCoordinator(withCrashPoint(launcher), this.#claimedBy);
  }

  /** Asks the run queue loop for a pass (runs were queued or ended); never waits. */
  wake(): void {
    this.#queue.start();
    this.#queue.wake();
  }

  /** Resolves when a claim-and-launch pass that began after this call has ended. */
  drain(): Promise<void> {
    return this.#queue.drain();
  }

  /** Ends the runs whose worker fell silent or died, and canceled runs whose worker is gone (`RunMonitor.check`); logs rather than throws. */
  async check(): Promise<void> {
    try {
      const { failed, canceled } = await this.#monitor.check();
      for (const { message } of failed) this.#log("warn", message);
      if (failed.length > 0 || canceled.length > 0) this.wake();
    } catch (error) {
      this.#log("error", `The daemon could not check in-flight runs (${toError(error).message}); it will try again.`);
    }
  }

  /** Stops the run queue after its pass in flight, then closes the launcher (it waits for its runs) and the replaced ones. */
  async close(): Promise<void> {
    await this.#queue.close();
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
    ...(launcher.queue === undefined ? {} : { queue: launcher.queue }),
    async launch(run) {
      await launcher.launch(run);
      crashIfRequested(TickStep.RUN_LAUNCHED);
    },
    close: () => launcher.close(),
  };
}
