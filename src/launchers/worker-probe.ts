import { readFileSync } from "node:fs";
import { isProbeable } from "../execution/process-identity.js";
import type { ProcessRecord, Run } from "../model/index.js";
import { WorkerTag } from "./run-launcher.js";

interface ObservedExit {
  runId: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Exits of worker processes seen by launchers of this process, by pid (bounded). */
const observedExits = new Map<number, ObservedExit>();
const MAX_OBSERVED_EXITS = 1000;

/** @internal Records how a worker process of this process ended, for `probeRunWorker`'s message. */
export function recordWorkerExit(pid: number, exit: ObservedExit): void {
  observedExits.set(pid, exit);
  if (observedExits.size > MAX_OBSERVED_EXITS) {
    const oldest = observedExits.keys().next();
    if (oldest.done !== true) observedExits.delete(oldest.value);
  }
}

/** The message written on a run whose worker process ended before the run did. */
export function deadWorkerMessage(pid: number, runId: string, exit: { code: number | null; signal: NodeJS.Signals | null } | null): string {
  const how = exit === null ? "it is no longer running" : exit.signal !== null ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
  return `Run worker process ${pid} for run "${runId}" exited unexpectedly (${how}); the run is marked failed.`;
}

/**
 * The run monitor's fast path: whether a registered process is surely gone, judged from this host.
 * Only a process on this host and in this PID namespace can be probed (`isProbeable`); there, a
 * pid that is not running (or whose command line no longer carries the process's `commandLineId`,
 * e.g. `--worker-id=<id>` of a run worker: a reused pid) is "dead". Everything else is "unknown":
 * the heartbeat timeout decides. A live pid is only "alive", never proof the run is.
 */
export function probeProcess(record: ProcessRecord): "dead" | "alive" | "unknown" {
  if (!isProbeable(record)) return "unknown";
  if (record.pid === process.pid) return "alive";
  const needle = typeof record.info.commandLineId === "string" ? record.info.commandLineId : undefined;
  return processAlive(record.pid, needle) ? "alive" : "dead";
}

/**
 * @internal
 * What the command line of a run's worker process contains: its worker id (warm workers learn
 * their run after starting), or, for workers of older versions, the run id.
 */
export function workerNeedle(run: Run): string {
  const id = run.tags[WorkerTag.WORKER_ID];
  return id === undefined ? run.runId : `--worker-id=${id.split("/").at(-1) ?? id}`;
}

/** True when `pid` is a live process (and, if `needle` is given and /proc exists, one whose command line contains it). */
export function processAlive(pid: number, needle?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (needle === undefined) return true;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return true; // No /proc (macOS) or it just exited: the kill(0) answer stands.
  }
  // A zombie has an empty command line; a reused pid has another one.
  return cmdline.includes(needle);
}
