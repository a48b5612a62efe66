import { useMutation } from "@tanstack/react-query";
import { post, queryClient, useApi, useInfo, type EventsPage, type RunDetail, type RunSummary } from "../api.js";
import { duration, ErrorStack, Loading, Status, time } from "../format.js";
import { href } from "../router.js";

/** Statuses a run can be canceled in (Instance.cancelRun). */
const CANCELABLE = new Set(["QUEUED", "NOT_STARTED", "STARTING", "STARTED"]);

/** The "Cancel run" button of an unfinished run (hidden in read-only mode). */
function CancelButton({ run }: { run: RunSummary }) {
  const info = useInfo();
  const cancel = useMutation({
    mutationFn: () => post<RunSummary>(`/api/runs/${encodeURIComponent(run.runId)}/cancel`),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  if (info.data?.readOnly !== false || !CANCELABLE.has(run.status)) return null;
  return (
    <p>
      <button type="button" disabled={cancel.isPending} onClick={() => cancel.mutate()}>Cancel run</button>
      {cancel.error === null ? null : <span className="error"> {cancel.error.message}</span>}
    </p>
  );
}

export function RunDetailPage({ runId }: { runId: string }) {
  const detail = useApi<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`);
  const events = useApi<EventsPage>(`/api/runs/${encodeURIComponent(runId)}/events?limit=1000`);
  if (detail.data === undefined) return <Loading error={detail.error} />;
  const { run, steps, failure } = detail.data;
  const longest = Math.max(1, ...steps.map((s) => s.durationMs ?? 0));
  return (
    <section>
      <h1>Run <span className="mono">{run.runId}</span></h1>
      <dl className="facts">
        <dt>Status</dt><dd><Status value={run.status} /></dd>
        <dt>Job</dt><dd><a href={href("jobs", run.jobName)}>{run.jobName}</a></dd>
        <dt>Sensor</dt><dd>{run.sensorName === null ? "—" : <a href={href("sensors", run.sensorName)}>{run.sensorName}</a>}</dd>
        <dt>Created</dt><dd>{time(run.createdAt)}</dd>
        <dt>Duration</dt><dd>{duration(run.durationMs)}</dd>
        <dt>Tags</dt><dd>{Object.entries(run.tags).map(([k, v]) => <span key={k} className="tag">{k}={v}</span>)}</dd>
      </dl>
      <CancelButton run={run} />
      {failure === null ? null : <div className="failure"><h2>Failure</h2><ErrorStack message={failure.message} stack={failure.stack} /></div>}
      <h2>Steps</h2>
      <table className="steps">
        <thead><tr><th>Step</th><th>Status</th><th>Duration</th><th /></tr></thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.stepKey}>
              <td>{s.stepKey}</td><td><Status value={s.status} /></td><td>{duration(s.durationMs)}</td>
              <td className="bar-cell"><div className={`bar status-${s.status.toLowerCase()}`} style={{ width: `${((s.durationMs ?? 0) / longest) * 100}%` }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Event log</h2>
      {events.data === undefined ? <Loading error={events.error} /> : (
        <table className="events">
          <thead><tr><th>Time</th><th>Type</th><th>Step</th><th>Message</th></tr></thead>
          <tbody>
            {events.data.events.map(({ storageId, entry }) => (
              <tr key={storageId} className={`level-${entry.level.toLowerCase()}`}>
                <td className="mono small">{new Date(entry.timestamp).toISOString().slice(11, 23)}</td>
                <td>{entry.event?.eventType ?? "LOG"}</td>
                <td>{entry.stepKey ?? ""}</td>
                <td>{entry.event?.error ? <ErrorStack message={entry.message} stack={entry.event.error.stack} /> : entry.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
