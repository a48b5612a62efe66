import { useApi, type Overview } from "../api.js";
import { ErrorStack, Loading, Status, time } from "../format.js";
import { href } from "../router.js";
import { RunsTable } from "./runs.js";
import { SensorsTable } from "./sensors.js";

export function OverviewPage() {
  const overview = useApi<Overview>("/api/overview");
  if (overview.data === undefined) return <Loading error={overview.error} />;
  const o = overview.data;
  const running = o.sensors.filter((s) => s.status === "RUNNING");
  return (
    <section>
      <h1>Overview</h1>
      <div className="cards">
        <div className="card"><b>{running.length}</b> of {o.sensors.length} sensors running</div>
        <div className="card"><b>{o.runsInProgress.length}</b> runs in progress</div>
        <div className="card"><b>{o.runCounts.SUCCESS ?? 0}</b> succeeded · <b>{o.runCounts.FAILURE ?? 0}</b> failed</div>
      </div>
      <h2>Running sensors</h2>
      <SensorsTable sensors={running} />
      <h2>Recent sensor failures</h2>
      {o.recentFailures.length === 0 ? <p className="muted">None.</p> : (
        <table>
          <tbody>
            {o.recentFailures.map((t) => (
              <tr key={t.id}>
                <td><a href={href("sensors", t.sensorName)}>{t.sensorName}</a></td><td><Status value={t.status} /></td><td>{time(t.timestamp)}</td>
                <td>{t.error === null ? null : <ErrorStack message={t.error.message} stack={t.error.stack} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Runs in progress</h2>
      <RunsTable runs={o.runsInProgress} />
      <h2>Recent runs</h2>
      <RunsTable runs={o.recentRuns} />
    </section>
  );
}
