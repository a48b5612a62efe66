import { readFileSync } from "node:fs";
import type { Run } from "../model/index.js";
import { isLiveOwner, thisHost } from "./launcher-owner.js";
import { WorkerTag } from "./run-launcher.js";

/** What a probe knows about the worker of an in-flight run. */
export type RunWorkerState =
  /** The worker is running (or may be: same host, pid alive). */
  | { state: "alive" }
  /** The worker is on another host; that host's monitor (or, later, a heartbeat) decides. */
  | { state: "unknown" }
  /** No worker was recorded: the run was claimed but not (yet) launched. */
  | { state: "unlaunched" }
  /** The worker is gone; `message` says so, for the run's RUN_FAILURE event. */
  | { state: "dead"; message: string };

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
 * Tells whether the worker recorded on an in-flight run (its `WorkerTag`s) is alive, judged from
 * this host: a subprocess worker by its pid (and, on Linux, that the pid's command line still names
 * the run, so a reused pid is not mistaken for it); an in-process run by its launcher's process,
 * and, when that is this process, by whether the launcher is still open.
 *
 * @see docs/runs.md
 */
export function probeRunWorker(run: Run): RunWorkerState {
  const host = run.tags[WorkerTag.WORKER_HOST];
  const pid = Number(run.tags[WorkerTag.WORKER_PID]);
  if (host === undefined || !Number.isInteger(pid) || pid <= 0) return { state: "unlaunched" };
  if (host !== thisHost) return { state: "unknown" };
  const owner = run.tags[WorkerTag.LAUNCHER_OWNER] ?? "(unknown)";
  if (run.tags[WorkerTag.LAUNCHER] === "in-process") {
    if (pid === process.pid) {
      return isLiveOwner(owner)
        ? { state: "alive" }
        : { state: "dead", message: `The in-process launcher ${owner} that ran run "${run.runId}" in this process was closed before the run finished; the run is marked failed.` };
    }
    return processAlive(pid)
      ? { state: "alive" }
      : { state: "dead", message: `The process ${pid} that ran run "${run.runId}" in-process (launcher ${owner}) is no longer running; the run is marked failed.` };
  }
  const exit = observedExits.get(pid);
  if (exit !== undefined && exit.runId === run.runId) return { state: "dead", message: deadWorkerMessage(pid, run.runId, exit) };
  return processAlive(pid, workerNeedle(run)) ? { state: "alive" } : { state: "dead", message: deadWorkerMessage(pid, run.runId, null) };
}

/**
 * Tells whether the launcher with owner id `ownerId` (`<host>/<pid>/<random>`, recorded on a run's
 * claim) is alive, judged from this host: in this process, whether it is still open; in another
 * process of this host, whether that process runs; on another host, unknown.
 */
export function probeClaimer(ownerId: string): "alive" | "dead" | "unknown" {
  const parts = ownerId.split("/");
  const pid = Number(parts.at(-2));
  const host = parts.slice(0, -2).join("/");
  if (host !== thisHost || !Number.isInteger(pid) || pid <= 0) return "unknown";
  if (pid === process.pid) return isLiveOwner(ownerId) ? "alive" : "dead";
  return processAlive(pid) ? "alive" : "dead";
}

/**
 * @internal
 * What the command line of a run's worker process contains: its worker id (warm workers learn
 * their run after starting), or, for workers of older versions, the run id.
 */
export function workerNeedle(run: Run): string {
  const id = run.tags[WorkerTag.WORKER_ID];
  return id === undefined ? run.runId : `--worker-id=${id}`;
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
