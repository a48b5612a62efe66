import { useApi, type AssetDetail, type AssetSummary } from "../api.js";
import { Loading, time } from "../format.js";
import { href } from "../router.js";

export function AssetsPage() {
  const assets = useApi<AssetSummary[]>("/api/assets");
  if (assets.data === undefined) return <Loading error={assets.error} />;
  return (
    <section>
      <h1>Assets</h1>
      {assets.data.length === 0 ? <p className="muted">No materializations yet.</p> : (
        <table>
          <thead><tr><th>Asset</th><th>Latest materialization</th><th>Run</th></tr></thead>
          <tbody>
            {assets.data.map((a) => (
              <tr key={a.key}>
                <td><a href={href("assets", a.key)}>{a.key}</a></td>
                <td>{time(a.latest.entry.timestamp)}</td>
                <td><a className="mono" href={href("runs", a.latest.entry.runId)}>{a.latest.entry.runId.slice(0, 8)}</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function AssetDetailPage({ assetKey }: { assetKey: string }) {
  const detail = useApi<AssetDetail>(`/api/assets/${encodeURIComponent(assetKey)}`);
  if (detail.data === undefined) return <Loading error={detail.error} />;
  return (
    <section>
      <h1>Asset {detail.data.key}</h1>
      <table>
        <thead><tr><th>Time</th><th>Run</th><th>Partition</th><th>Metadata</th></tr></thead>
        <tbody>
          {detail.data.history.map(({ storageId, entry }) => (
            <tr key={storageId}>
              <td>{time(entry.timestamp)}</td>
              <td><a className="mono" href={href("runs", entry.runId)}>{entry.runId.slice(0, 8)}</a></td>
              <td>{entry.event?.materialization?.partition ?? "—"}</td>
              <td><pre>{JSON.stringify(entry.event?.materialization?.metadata ?? {}, null, 1)}</pre></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
