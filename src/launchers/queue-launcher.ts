import type { Run } from "../model/index.js";
import { queueTaskFor } from "../storage/queue-schema.js";
import type { RunLauncher } from "./run-launcher.js";

/** The work queue runs go to when `queueLauncher.queues` names none for their job. */
export const DEFAULT_QUEUE = "default";

/**
 * The queue launcher (`runLauncher: queue`): a run is handed to the graphile-worker work queue in
 * the very transaction that claims it (`storage.claimQueuedRuns` with `queue`), so there is never
 * a claimed run without its job nor a job without its claim; `vigil worker` processes on any host
 * take the jobs and execute the runs. `launch()` has nothing left to do. Runs of a job named in
 * `queues` go to that work queue (taken by `vigil worker --queue NAME`); the rest to `default`.
 *
 * @example
 * const launcher = new QueueLauncher({ queues: { train_model: "gpu" } });
 * @see docs/deploy.md
 */
export class QueueLauncher implements RunLauncher {
  readonly kind = "queue" as const;
  readonly queue: { defaultTask: string; tasks: Readonly<Record<string, string>> };

  constructor(options: { queues: Readonly<Record<string, string>> }) {
    this.queue = {
      defaultTask: queueTaskFor(DEFAULT_QUEUE),
      tasks: Object.freeze(Object.fromEntries(Object.entries(options.queues).map(([job, queue]) => [job, queueTaskFor(queue)]))),
    };
  }

  async launch(_run: Run): Promise<void> {
    // Enqueued with its claim: a worker takes it from the work queue.
  }

  async close(): Promise<void> {
    // Nothing runs here: workers execute the runs.
  }
}
