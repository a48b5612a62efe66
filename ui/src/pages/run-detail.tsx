import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { post, queryClient, useApi, useInfo, type EventsPage, type RunDetail, type RunLogsPage, type RunQueueBlocker, type RunQueueInfo, type RunSummary } from "../api.js";
import { duration, ErrorStack, Loading, Status, time } from "../format.js";
import { href } from "../router.js";

/** Statuses a run can be canceled in (Instance.cancelRun). */
const CANCELABLE = new Set(["QUEUED", "NOT_STARTED", "STARTING", "STARTED"]);
/** Statuses where a plain cancel waits for the run's worker, so forcing it means something. */
const FORCE_CANCELABLE = new Set(["STARTING", "STARTED", "CANCELING"]);

/**
 * "Cancel run" for an unfinished run, and "Force cancel" (after a confirm step) for one that has
 * started; both hidden in read-only mode.
 */
function CancelActions({ run }: { run: RunSummary }) {
  const info = useInfo();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation({
    mutationFn: (force: boolean) => post<RunSummary>(`/api/runs/${encodeURIComponent(run.runId)}/cancel`, force ? { force: true } : {}),
    onSuccess: () => {
      setConfirming(false);
      return queryClient.invalidateQueries();
    },
  });
  const cancelable = CANCELABLE.has(run.status);
  const forceable = FORCE_CANCELABLE.has(run.status);
  if (info.data?.readOnly !== false || (!cancelable && !forceable)) return null;
  return (
    <div className="run-actions">
      {cancelable ? <button type="button" disabled={cancel.isPending} onClick={() => cancel.mutate(false)}>Cancel run</button> : null}
      {forceable && !confirming ? <button type="button" className="danger" disabled={cancel.isPending} onClick={() => setConfirming(true)}>Force cancel</button> : null}
      {forceable && confirming ? (
        <span className="confirm" role="group" aria-label="confirm force cancel">
          Mark the run CANCELED now, without waiting for its worker? A worker still running stops at its next heartbeat.{" "}
          <button type="button" className="danger" disabled={cancel.isPending} onClick={() => cancel.mutate(true)}>Mark CANCELED now</button>{" "}
          <button type="button" onClick={() => setConfirming(false)}>Back</button>
        </span>
      ) : null}
      {cancel.error === null ? null : <span className="error"> {cancel.error.message}</span>}
    </div>
  );
}

/** "maxConcurrentRuns 4/4 in flight", "tag team=data 1/1 in flight". */
function blockerText(b: RunQueueBlocker): string {
  const limit = b.key === "maxConcurrentRuns" ? b.key : `tag ${b.key}${b.value === undefined ? "" : `=${b.value}`}`;
  return `${limit} ${b.inFlight}/${b.limit} in flight`;
}

/** Why a QUEUED run waits: its place in the queue and the concurrency limits that are full for it. */
function QueueInfo({ info }: { info: RunQueueInfo }) {
  return (
    <div className="queue-info" data-testid="queue-info">
      <b>Queued: position {info.position}</b>
      {info.blockedBy.length === 0 ? (
        <span className="muted"> · waiting for a daemon to claim it</span>
      ) : (
        <>
          <span className="muted"> · held back by</span>
          <ul>{info.blockedBy.map((b) => <li key={`${b.key}=${b.value ?? ""}`}>{blockerText(b)}</li>)}</ul>
        </>
      )}
    </div>
  );
}

/** What the run printed (its ops' stdout and stderr), wherever it executed. */
function RunOutput({ runId }: { runId: string }) {
  const logs = useApi<RunLogsPage>(`/api/runs/${encodeURIComponent(runId)}/logs?limit=5000`);
  if (logs.data === undefined) return <Loading error={logs.error} />;
  if (logs.data.logs.length === 0) return null;
  return (
    <>
      <h2>Output</h2>
      <pre className="run-output" data-testid="run-output">
        {logs.data.logs.map((l) => <span key={l.id} className={l.stream === "stderr" ? "stderr" : undefined}>{l.text}</span>)}
      </pre>
      {logs.data.nextAfter === null ? null : <p className="muted small">Only the first 5,000 pieces are shown; see all with vigil run logs {runId}.</p>}
    </>
  );
}

export function RunDetailPage({ runId }: { runId: string }) {
  const detail = useApi<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`);
  const events = useApi<EventsPage>(`/api/runs/${encodeURIComponent(runId)}/events?limit=1000`);
  if (detail.data === undefined) return <Loading error={detail.error} />;
  const { run, steps, failure, queueInfo } = detail.data;
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
      {queueInfo === null ? null : <QueueInfo info={queueInfo} />}
      <CancelActions run={run} />
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
      <RunOutput runId={runId} />
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
