import type { Run } from "../model/index.js";
import { thisHost } from "../execution/process-identity.js";
import { ownerTerminator } from "./launcher-owner.js";
import { WorkerTag } from "./run-launcher.js";
import { processAlive, workerNeedle } from "./worker-probe.js";

/** What `terminateRunWorker` could do about a run's worker. */
export type TerminateResult = "signaled" | "gone" | "unknown";

/** When this process first sent SIGTERM to a run's worker, by run id (for the SIGKILL escalation). */
const firstSignal = new Map<string, number>();

/**
 * Asks the worker recorded on a `CANCELING` run (its `WorkerTag`s) to stop, judged from this host:
 * a run of a launcher open in this process goes through that launcher's `terminate`; a subprocess
 * worker of another process on this host gets SIGTERM, then SIGKILL once `graceMs` has passed
 * since this process first signalled it (call it again, e.g. on each monitor check). A worker on
 * another host, or an in-process run of another process, is `unknown`: that host's (or process's)
 * monitor has to do it. Idempotent.
 *
 * @see docs/runs.md
 */
export async function terminateRunWorker(run: Run, graceMs = 10_000, now: () => number = Date.now): Promise<TerminateResult> {
  const owner = run.tags[WorkerTag.LAUNCHER_OWNER];
  const local = owner === undefined ? null : ownerTerminator(owner);
  if (local !== null && (await local(run.runId))) return "signaled";
  const host = run.tags[WorkerTag.WORKER_HOST];
  const pid = Number(run.tags[WorkerTag.WORKER_PID]);
  if (run.tags[WorkerTag.LAUNCHER] !== "subprocess" || host !== thisHost || !Number.isInteger(pid) || pid <= 0) return "unknown";
  if (!processAlive(pid, workerNeedle(run))) {
    firstSignal.delete(run.runId);
    return "gone";
  }
  const first = firstSignal.get(run.runId);
  try {
    if (first === undefined) {
      process.kill(pid, "SIGTERM");
      firstSignal.set(run.runId, now());
    } else if (now() - first >= graceMs) {
      process.kill(pid, "SIGKILL");
    }
  } catch {
    return "gone";
  }
  return "signaled";
}
