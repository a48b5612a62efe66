import type { DaemonStatus, WorkerStatus } from "../../model/index.js";
import type { CliContext } from "../cli-context.js";
import { formatTime } from "../output.js";

/** "3.2 s" for a heartbeat age. */
function age(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/**
 * `vigil status`: who serves the instance now — live daemons (heartbeat age, the sensors they hold
 * leases for, duties such as run monitoring), live processes executing runs, and how many runs are
 * queued and in flight. Everything comes from storage (heartbeats and leases), so it shows daemons
 * and workers on every host. `--json` prints the `DeploymentStatus`.
 */
export async function statusCommand(ctx: CliContext): Promise<void> {
  const instance = await ctx.instance();
  const status = await instance.getDeploymentStatus();
  const { out } = ctx;
  out.data(status);
  out.line(out.style("bold", `Daemons (${status.daemons.length})`));
  out.table(
    status.daemons,
    [
      { header: "ID", value: (d: DaemonStatus) => d.id },
      { header: "HOST", value: (d) => d.host },
      { header: "PID", value: (d) => String(d.pid) },
      { header: "SINCE", value: (d) => formatTime(d.startedAt) },
      { header: "HEARTBEAT", value: (d) => `${age(d.heartbeatAgeMs)} ago` },
      { header: "SENSORS", value: (d) => String(d.sensors.length) },
      { header: "DUTIES", value: (d) => d.duties.join(", ") || "-" },
    ],
    "No live daemon: sensors are not ticking and queued runs are not launched; start one with \"vigil daemon\".",
  );
  out.line();
  out.line(out.style("bold", `Workers (${status.workers.length})`));
  out.table(
    status.workers,
    [
      { header: "ID", value: (w: WorkerStatus) => w.id },
      { header: "KIND", value: (w) => w.kind },
      { header: "HOST", value: (w) => w.host },
      { header: "PID", value: (w) => String(w.pid) },
      { header: "HEARTBEAT", value: (w) => `${age(w.heartbeatAgeMs)} ago` },
      { header: "RUNS", value: (w) => String(w.runsInFlight) },
      { header: "QUEUES", value: (w) => (Array.isArray(w.info.queues) ? w.info.queues.join(", ") : "-") },
    ],
    "No process is executing runs.",
  );
  out.line();
  out.line(`Runs: ${status.runs.queued} queued, ${status.runs.inFlight} in flight.`);
}
