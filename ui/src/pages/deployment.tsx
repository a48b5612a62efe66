import { useApi, type DaemonStatus, type DeploymentStatus, type WorkerStatus } from "../api.js";
import { duration, Loading, time } from "../format.js";
import { href } from "../router.js";

/**
 * Heartbeats renew without storing an event, so the live stream does not report them: the page
 * refetches this often to keep the heartbeat ages current (it reports daemons coming and going).
 */
const HEARTBEAT_REFRESH_MS = 2_000;

function heartbeat(ageMs: number): string {
  return `${duration(Math.max(0, ageMs))} ago`;
}

/** A daemon's sensors: the count, expandable to their names. */
function OwnedSensors({ sensors }: { sensors: string[] }) {
  if (sensors.length === 0) return <span className="muted">0</span>;
  return (
    <details className="owned-sensors">
      <summary>{sensors.length} sensor{sensors.length === 1 ? "" : "s"}</summary>
      <ul>
        {sensors.map((name) => <li key={name}><a href={href("sensors", name)}>{name}</a></li>)}
      </ul>
    </details>
  );
}

function DaemonsTable({ daemons }: { daemons: DaemonStatus[] }) {
  if (daemons.length === 0) {
    return <p className="warning">No live daemon: no sensor is evaluated and queued runs wait until one starts (<span className="mono">vigil daemon</span> or <span className="mono">vigil dev</span>).</p>;
  }
  return (
    <table className="daemons">
      <thead>
        <tr><th>Daemon</th><th>Host</th><th>PID</th><th>Since</th><th>Heartbeat</th><th>Sensors</th><th>Duties</th></tr>
      </thead>
      <tbody>
        {daemons.map((d) => (
          <tr key={d.id} data-daemon={d.id}>
            <td className="mono small">{d.id}</td>
            <td>{d.host}</td>
            <td>{d.pid}</td>
            <td>{time(d.startedAt)}</td>
            <td>{heartbeat(d.heartbeatAgeMs)}</td>
            <td><OwnedSensors sensors={d.sensors} /></td>
            <td>{d.duties.length === 0 ? <span className="muted">—</span> : d.duties.map((duty) => <span key={duty} className="tag">{duty}</span>)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What a worker says about itself, as `key=value` tags (nested values as JSON). */
function WorkerInfo({ info }: { info: Record<string, unknown> }) {
  const entries = Object.entries(info).filter(([, v]) => v !== null && v !== undefined);
  if (entries.length === 0) return null;
  return <div>{entries.map(([k, v]) => <span key={k} className="tag">{k}={typeof v === "string" ? v : JSON.stringify(v)}</span>)}</div>;
}

function WorkersTable({ workers }: { workers: WorkerStatus[] }) {
  if (workers.length === 0) return <p className="muted">No live process is executing runs.</p>;
  return (
    <table className="workers">
      <thead>
        <tr><th>Worker</th><th>Kind</th><th>Host</th><th>PID</th><th>Since</th><th>Heartbeat</th><th>Runs in flight</th></tr>
      </thead>
      <tbody>
        {workers.map((w) => (
          <tr key={w.id} data-worker={w.id}>
            <td><span className="mono small">{w.id}</span><WorkerInfo info={w.info} /></td>
            <td>{w.kind}</td>
            <td>{w.host}</td>
            <td>{w.pid}</td>
            <td>{time(w.startedAt)}</td>
            <td>{heartbeat(w.heartbeatAgeMs)}</td>
            <td>{w.runsInFlight}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Who serves this instance now: live daemons with the sensors they own, live workers, run counts. */
export function DeploymentPage() {
  const status = useApi<DeploymentStatus>("/api/deployment", { refetchIntervalMs: HEARTBEAT_REFRESH_MS });
  if (status.data === undefined) return <Loading error={status.error} />;
  const { daemons, workers, runs } = status.data;
  return (
    <section>
      <h1>Deployment</h1>
      <div className="cards">
        <div className="card" data-testid="daemon-count"><b>{daemons.length}</b> live daemon{daemons.length === 1 ? "" : "s"}</div>
        <div className="card"><b>{workers.length}</b> live worker{workers.length === 1 ? "" : "s"}</div>
        <div className="card" data-testid="run-counts">
          <a href="#/runs?status=QUEUED"><b>{runs.queued}</b> queued</a> · <b>{runs.inFlight}</b> in flight
        </div>
      </div>
      <h2>Daemons</h2>
      <DaemonsTable daemons={daemons} />
      <h2>Workers</h2>
      <WorkersTable workers={workers} />
    </section>
  );
}
