import { useApi, type JobSummary } from "../api.js";
import { Loading } from "../format.js";
import { href } from "../router.js";

function JobCard({ job }: { job: JobSummary }) {
  return (
    <article className="job" id={`job-${job.name}`}>
      <h2><a href={href("jobs", job.name)}>{job.name}</a></h2>
      {job.description === null ? null : <p>{job.description}</p>}
      <p>
        {Object.entries(job.tags).map(([k, v]) => <span key={k} className="tag">{k}={v}</span>)}
        {job.sensorNames.map((s) => <a key={s} className="tag" href={href("sensors", s)}>sensor {s}</a>)}
        <a href={`#/runs?job=${encodeURIComponent(job.name)}`}>runs</a>
      </p>
      <div className="graph">
        {job.ops.map((op) => (
          <div key={op.name} className="op">
            <b>{op.name}</b>
            {op.inputs.length > 0 ? <div className="muted small">← {op.inputs.join(", ")}</div> : null}
            {op.configSchema === null ? null : (
              <details><summary>config schema</summary><pre>{JSON.stringify(op.configSchema, null, 2)}</pre></details>
            )}
          </div>
        ))}
      </div>
    </article>
  );
}

export function JobsPage({ name }: { name: string | null }) {
  const jobs = useApi<JobSummary[]>("/api/jobs");
  if (jobs.data === undefined) return <Loading error={jobs.error} />;
  const shown = name === null ? jobs.data : jobs.data.filter((j) => j.name === name);
  return (
    <section>
      <h1>Jobs</h1>
      {shown.length === 0 ? <p className="error">No job named {name}.</p> : shown.map((j) => <JobCard key={j.name} job={j} />)}
    </section>
  );
}
