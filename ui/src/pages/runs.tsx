import { useApi, type RunsPage, type RunSummary } from "../api.js";
import { duration, Loading, Status, time } from "../format.js";
import { href, setParams, type Route } from "../router.js";

const STATUSES = ["QUEUED", "NOT_STARTED", "STARTING", "STARTED", "SUCCESS", "FAILURE", "CANCELING", "CANCELED"];

export function RunsTable({ runs }: { runs: RunSummary[] }) {
  if (runs.length === 0) return <p className="muted">No runs.</p>;
  return (
    <table>
      <thead>
        <tr><th>Run</th><th>Job</th><th>Status</th><th>Sensor</th><th>Created</th><th>Duration</th></tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.runId}>
            <td><a className="mono" href={href("runs", r.runId)}>{r.runId.slice(0, 8)}</a></td>
            <td><a href={href("jobs", r.jobName)}>{r.jobName}</a></td>
            <td><Status value={r.status} /></td>
            <td>{r.sensorName === null ? "—" : <a href={href("sensors", r.sensorName)}>{r.sensorName}</a>}</td>
            <td>{time(r.createdAt)}</td>
            <td>{duration(r.durationMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Runs with filters kept in the URL (status, job, sensor, tag, cursor). */
export function RunsPageView({ route }: { route: Route }) {
  const params = new URLSearchParams();
  for (const key of ["status", "job", "sensor", "tag", "cursor"]) {
    const value = route.params.get(key);
    if (value !== null && value !== "") params.set(key, value);
  }
  const page = useApi<RunsPage>(`/api/runs?${params.toString()}`);
  const input = (key: string, label: string) => (
    <label>
      {label}{" "}
      <input defaultValue={route.params.get(key) ?? ""} onKeyDown={(e) => e.key === "Enter" && setParams(route, { [key]: e.currentTarget.value, cursor: null })} placeholder="press Enter" />
    </label>
  );
  return (
    <section>
      <h1>Runs</h1>
      <div className="filters">
        <label>
          Status{" "}
          <select value={route.params.get("status") ?? ""} onChange={(e) => setParams(route, { status: e.target.value, cursor: null })}>
            <option value="">any</option>
            {STATUSES.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        {input("job", "Job")}
        {input("sensor", "Sensor")}
        {input("tag", "Tag (k=v)")}
      </div>
      {page.data === undefined ? <Loading error={page.error} /> : <RunsTable runs={page.data.runs} />}
      {page.data?.nextCursor ? <button onClick={() => setParams(route, { cursor: page.data?.nextCursor ?? null })}>Older runs</button> : null}
      {route.params.get("cursor") !== null ? <button onClick={() => setParams(route, { cursor: null })}>Newest runs</button> : null}
    </section>
  );
}
