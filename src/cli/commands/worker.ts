import { resolve } from "node:path";
import { toError } from "../../errors/index.js";
import { UsageError } from "../exit-codes.js";
import { QueueWorker } from "../../launchers/queue-worker.js";
import { heartbeatTiming } from "../../instance/run-launching.js";
import type { CliContext } from "../cli-context.js";
import { formatTime } from "../output.js";
import { stopRequested } from "../shutdown.js";

/** Options of `vigil worker`. */
export interface WorkerCommandOptions {
  concurrency?: string;
  queue?: string;
}

/** Parses `--concurrency`: a whole number of 1 or more. */
function parseConcurrency(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new UsageError(`--concurrency takes a whole number of 1 or more; got ${JSON.stringify(value)}.`);
  return n;
}

/** Parses `--queue`: one or more work queue names, comma-separated. */
function parseQueues(value: string | undefined): string[] {
  if (value === undefined) return ["default"];
  const names = value.split(",").map((s) => s.trim());
  const bad = names.find((n) => !/^[A-Za-z0-9_.-]{1,64}$/.test(n));
  if (bad !== undefined) throw new UsageError(`--queue takes work queue names (letters, digits, "_", ".", "-"), comma-separated; got ${JSON.stringify(bad)}.`);
  return names;
}

/**
 * `vigil worker [-f FILE] [--concurrency N] [--queue NAME[,NAME]]`: takes runs from the work queue
 * of the instance (`runLauncher: queue` on PostgreSQL) and executes them, N at once (default
 * `worker.concurrency`, 4), until Ctrl-C or SIGTERM: then it takes no new run, gives the runs in
 * flight `worker.shutdownGraceSeconds` (30) to finish, fails those still running, and exits.
 */
export async function workerCommand(ctx: CliContext, options: WorkerCommandOptions): Promise<void> {
  const { out } = ctx;
  const instance = await ctx.instance();
  const queue = instance.workQueue();
  const concurrency = parseConcurrency(options.concurrency, instance.config.worker.concurrency);
  const queues = parseQueues(options.queue);
  const stop = stopRequested((t) => out.note(t));
  const definitionsFile = resolve(ctx.file);
  // The work queue library can reject from its background loops when the database goes away (a
  // restart): say so and go on — its loops retry, and runs are judged by their heartbeats.
  const onRejection = (reason: unknown): void => out.note(`${formatTime(Date.now()).slice(11)}  warn: work queue: ${toError(reason).message}; retrying.`);
  process.on("unhandledRejection", onRejection);
  try {
    const worker = await QueueWorker.start({
      storage: instance.storage,
      ...queue,
      definitionsFile,
      concurrency,
      queues,
      heartbeat: heartbeatTiming(instance.config),
      shutdownGraceMs: instance.config.worker.shutdownGraceSeconds * 1000,
      cancelGraceMs: instance.config.worker.cancelGraceSeconds * 1000,
      log: (level, message) => out.note(`${formatTime(Date.now()).slice(11)}  ${level === "info" ? "" : `${level}: `}${message}`),
    });
    out.line(`Vigil worker ${worker.processId} running: ${concurrency} run(s) at once from queue(s) ${queues.join(", ")}, definitions ${definitionsFile}.`);
    out.line(out.style("dim", "Press Ctrl-C to stop (runs in flight get their grace period)."));
    await Promise.race([stop.promise, worker.done]);
    out.line("Stopping the worker (runs in flight may finish first)...");
    await worker.stop();
  } finally {
    stop.dispose();
    process.off("unhandledRejection", onRejection);
  }
  out.line("Worker stopped.");
}
