import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { post, queryClient, useApi, useInfo, type PreviewResult, type RunsPage, type SensorSummary, type Tick, type TicksPage } from "../api.js";
import { duration, ErrorStack, Loading, relative, Status, time } from "../format.js";
import { href, setParams, type Route } from "../router.js";
import { RunsTable } from "./runs.js";
import { SensorToggle } from "./sensors.js";

const WINDOWS: Record<string, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

/** Ticks as coloured marks over the last hour/day/week (ending now, or at the newest tick if later). */
function Timeline({ sensor, window }: { sensor: SensorSummary; window: string }) {
  const span = WINDOWS[window] ?? 3_600_000;
  const end = Math.max(Date.now(), sensor.lastTick?.timestamp ?? 0);
  const since = end - span;
  const ticks = useApi<TicksPage>(`/api/sensors/${encodeURIComponent(sensor.name)}/ticks?limit=1000&since=${Math.floor(since / 60_000) * 60_000}`);
  return (
    <div className="timeline" aria-label="tick timeline">
      {(ticks.data?.ticks ?? []).map((t) => (
        <a key={t.id} href={`#tick-${t.id}`} className={`mark status-${t.status.toLowerCase()}`} style={{ left: `${((t.timestamp - since) / span) * 100}%` }} title={`${t.status} at ${time(t.timestamp)}`} />
      ))}
      <span className="timeline-label left">{time(since)}</span>
      <span className="timeline-label right">{time(end)}</span>
    </div>
  );
}

function TickRow({ tick }: { tick: Tick }) {
  return (
    <tr id={`tick-${tick.id}`} data-tick-status={tick.status}>
      <td>{time(tick.timestamp)}</td>
      <td><Status value={tick.status} /></td>
      <td>{tick.endTimestamp === null ? "—" : duration(tick.endTimestamp - tick.timestamp)}</td>
      <td>
        {tick.runIds.map((id) => <div key={id}><a className="mono" href={href("runs", id)}>{id.slice(0, 8)}</a></div>)}
        {tick.dedupedRunKeys.length > 0 ? <div className="muted small">deduplicated: {tick.dedupedRunKeys.join(", ")}</div> : null}
        {tick.totals === undefined ? null : (
          <div className="muted small">
            {tick.totals.runIds} run(s) created and {tick.totals.dedupedRunKeys} of {tick.totals.runKeys} key(s) deduplicated in all; the first {tick.runKeys.length} are listed (the runs carry tag vigil/tick_id={tick.id})
          </div>
        )}
      </td>
      <td>
        {tick.skipReason === null ? null : <span className="skip-reason">{tick.skipReason}</span>}
        {tick.error === null ? null : <ErrorStack message={tick.error.message} stack={tick.error.stack} />}
      </td>
      <td className="mono small">{tick.cursorBefore ?? "∅"} → {tick.cursor ?? "∅"}</td>
    </tr>
  );
}

function Preview({ sensor }: { sensor: SensorSummary }) {
  const [cursor, setCursor] = useState<string>(sensor.cursor ?? "");
  const preview = useMutation({ mutationFn: () => post<PreviewResult>(`/api/sensors/${encodeURIComponent(sensor.name)}/preview`, { cursor: cursor === "" ? null : cursor }) });
  const result = preview.data;
  return (
    <div className="preview">
      <h2>Preview</h2>
      <p className="muted small">Evaluates the sensor now with this cursor; nothing is stored or launched.</p>
      <label>Cursor <input aria-label="preview cursor" value={cursor} onChange={(e) => setCursor(e.target.value)} placeholder="(none)" /></label>{" "}
      <button onClick={() => preview.mutate()} disabled={preview.isPending}>Preview</button>
      {preview.error ? <p className="error">{preview.error.message}</p> : null}
      {result === undefined ? null : (
        <div className="preview-result" data-testid="preview-result">
          {result.error !== null ? <ErrorStack message={result.error.message} stack={result.error.stack} /> : null}
          {result.skipReason !== null ? <p>Would skip: <span className="skip-reason">{result.skipReason}</span></p> : null}
          {result.runRequests.length > 0 ? (
            <>
              <p>Would request {result.runRequests.length} run(s):</p>
              <table>
                <thead><tr><th>Run key</th><th>Job</th><th>Run config</th></tr></thead>
                <tbody>
                  {result.runRequests.slice(0, 20).map((r, i) => (
                    <tr key={i} data-already-used={r.alreadyUsed}>
                      <td className="mono">{r.runKey ?? "—"}{r.alreadyUsed ? <span className="muted small"> (already used: no run)</span> : null}</td>
                      <td>{r.jobName ?? "—"}</td>
                      <td><pre>{JSON.stringify(r.runConfig)}</pre></td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {result.runRequests.length > 20 ? <p className="muted small">…and {result.runRequests.length - 20} more.</p> : null}
            </>
          ) : null}
          <p className="mono small">cursor {result.cursorBefore ?? "∅"} → {result.cursor ?? "∅"}</p>
        </div>
      )}
    </div>
  );
}

function CursorEditor({ sensor }: { sensor: SensorSummary }) {
  const [value, setValue] = useState(sensor.cursor ?? "");
  const save = useMutation({
    mutationFn: (cursor: string | null) => post<SensorSummary>(`/api/sensors/${encodeURIComponent(sensor.name)}/cursor`, { cursor }),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  return (
    <div>
      <label>Stored cursor <input aria-label="stored cursor" value={value} onChange={(e) => setValue(e.target.value)} /></label>{" "}
      <button onClick={() => save.mutate(value)}>Set cursor</button> <button onClick={() => { setValue(""); save.mutate(null); }}>Clear cursor</button>
      {save.error ? <span className="error"> {save.error.message}</span> : null}
    </div>
  );
}

export function SensorDetailPage({ name, route }: { name: string; route: Route }) {
  const info = useInfo();
  const path = `/api/sensors/${encodeURIComponent(name)}`;
  const sensor = useApi<SensorSummary>(path);
  const window = route.params.get("window") ?? "hour";
  const status = route.params.get("status") ?? "";
  const ticks = useApi<TicksPage>(`${path}/ticks?limit=50${status === "" ? "" : `&status=${status}`}`);
  const runs = useApi<RunsPage>(`/api/runs?sensor=${encodeURIComponent(name)}&limit=20`);
  if (sensor.data === undefined) return <Loading error={sensor.error} />;
  const s = sensor.data;
  return (
    <section>
      <h1>{s.name} <SensorToggle sensor={s} /> <Status value={s.status} /></h1>
      {s.description === null ? null : <p>{s.description}</p>}
      <dl className="facts">
        <dt>Interval</dt><dd>{duration(s.minimumIntervalSeconds * 1000)}</dd>
        <dt>Jobs</dt><dd>{s.targetJobNames.map((j) => <a key={j} href={href("jobs", j)}>{j} </a>)}</dd>
        <dt>Last tick</dt><dd><Status value={s.lastTick?.status} /> {time(s.lastTick?.timestamp)}</dd>
        <dt>Next tick</dt><dd>{s.nextTickAt === null ? "— (stopped)" : relative(s.nextTickAt)}</dd>
        <dt>Cursor</dt><dd className="mono">{s.cursor ?? "∅"}</dd>
      </dl>
      {info.data?.readOnly === false ? <CursorEditor key={s.cursor ?? ""} sensor={s} /> : null}
      <h2>Timeline</h2>
      <div className="filters">
        {Object.keys(WINDOWS).map((w) => <button key={w} className={w === window ? "active" : ""} onClick={() => setParams(route, { window: w })}>{w}</button>)}
      </div>
      <Timeline sensor={s} window={window} />
      {info.data?.previewAllowed === true ? <Preview sensor={s} /> : null}
      <h2>Ticks</h2>
      <div className="filters">
        <label>Status <select aria-label="tick status" value={status} onChange={(e) => setParams(route, { status: e.target.value })}>
          <option value="">any</option>
          {["STARTED", "SUCCESS", "SKIPPED", "FAILURE"].map((x) => <option key={x}>{x}</option>)}
        </select></label>
      </div>
      {ticks.data === undefined ? <Loading error={ticks.error} /> : (
        <table className="ticks">
          <thead><tr><th>Time</th><th>Status</th><th>Took</th><th>Runs</th><th>Skip reason / error</th><th>Cursor before → after</th></tr></thead>
          <tbody>{ticks.data.ticks.map((t) => <TickRow key={t.id} tick={t} />)}</tbody>
        </table>
      )}
      <h2>Runs launched</h2>
      {runs.data === undefined ? <Loading error={runs.error} /> : <RunsTable runs={runs.data.runs} />}
    </section>
  );
}
