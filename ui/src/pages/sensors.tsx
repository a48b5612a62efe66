import { useMutation } from "@tanstack/react-query";
import { post, queryClient, useApi, useInfo, type SensorSummary } from "../api.js";
import { duration, Loading, relative, Status, time } from "../format.js";
import { href } from "../router.js";

/** The start/stop switch of a sensor (hidden in read-only mode). */
export function SensorToggle({ sensor }: { sensor: SensorSummary }) {
  const info = useInfo();
  const running = sensor.status === "RUNNING";
  const toggle = useMutation({
    mutationFn: () => post<SensorSummary>(`/api/sensors/${encodeURIComponent(sensor.name)}/${running ? "stop" : "start"}`),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  if (info.data?.readOnly !== false) return null;
  return (
    <label className="toggle" title={running ? "Stop this sensor" : "Start this sensor"}>
      <input type="checkbox" role="switch" aria-label={`${sensor.name} running`} checked={running} disabled={toggle.isPending} onChange={() => toggle.mutate()} />
      <span />
    </label>
  );
}

/** The daemon holding the sensor's lease (the one evaluating it), linking to the Deployment page. */
function Owner({ owner }: { owner: SensorSummary["owner"] }) {
  if (owner === null) return <span className="muted" title="no live daemon holds this sensor">—</span>;
  return <a href={href("deployment")} title={owner.daemonId}>{owner.host}/{owner.pid}</a>;
}

export function SensorsTable({ sensors }: { sensors: SensorSummary[] }) {
  const now = Date.now();
  return (
    <table>
      <thead>
        <tr>
          <th>On</th><th>Sensor</th><th>Status</th><th>Owner</th><th>Interval</th><th>Last tick</th><th>Next tick</th><th>Lag</th>
        </tr>
      </thead>
      <tbody>
        {sensors.map((s) => (
          <tr key={s.name} data-sensor={s.name}>
            <td><SensorToggle sensor={s} /></td>
            <td><a href={href("sensors", s.name)}>{s.name}</a>{s.description === null ? null : <div className="muted small">{s.description}</div>}</td>
            <td><Status value={s.status} />{s.statusSource === "default" ? <span className="muted small"> default</span> : null}</td>
            <td className="owner"><Owner owner={s.owner} /></td>
            <td>{duration(s.minimumIntervalSeconds * 1000)}</td>
            <td><Status value={s.lastTick?.status} /> <span className="muted small">{time(s.lastTick?.timestamp)}</span></td>
            <td>{s.nextTickAt === null ? "—" : relative(s.nextTickAt, now)}</td>
            <td>{s.lagMs === null ? "—" : duration(s.lagMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SensorsPage() {
  const sensors = useApi<SensorSummary[]>("/api/sensors");
  return (
    <section>
      <h1>Sensors</h1>
      {sensors.data === undefined ? <Loading error={sensors.error} /> : <SensorsTable sensors={sensors.data} />}
    </section>
  );
}
