import { useState } from "react";
import { useInfo, useLiveUpdates } from "./api.js";
import { AssetDetailPage, AssetsPage } from "./pages/assets.js";
import { DeploymentPage } from "./pages/deployment.js";
import { JobsPage } from "./pages/jobs.js";
import { OverviewPage } from "./pages/overview.js";
import { RunDetailPage } from "./pages/run-detail.js";
import { RunsPageView } from "./pages/runs.js";
import { SensorDetailPage } from "./pages/sensor-detail.js";
import { SensorsPage } from "./pages/sensors.js";
import { useRoute, type Route } from "./router.js";

const NAV = [
  ["", "Overview"],
  ["sensors", "Sensors"],
  ["runs", "Runs"],
  ["jobs", "Jobs"],
  ["assets", "Assets"],
  ["deployment", "Deployment"],
] as const;

function Page({ route }: { route: Route }) {
  const [section, id] = route.parts;
  switch (section) {
    case undefined:
      return <OverviewPage />;
    case "sensors":
      return id === undefined ? <SensorsPage /> : <SensorDetailPage key={id} name={id} route={route} />;
    case "runs":
      return id === undefined ? <RunsPageView key={route.params.toString()} route={route} /> : <RunDetailPage runId={id} />;
    case "jobs":
      return <JobsPage name={id ?? null} />;
    case "assets":
      return id === undefined ? <AssetsPage /> : <AssetDetailPage assetKey={id} />;
    case "deployment":
      return <DeploymentPage />;
    default:
      return <p className="error">No page here; pick one above.</p>;
  }
}

export function App() {
  const route = useRoute();
  const info = useInfo();
  const [updates, setUpdates] = useState(0);
  useLiveUpdates(() => setUpdates((n) => n + 1));
  const section = route.parts[0] ?? "";
  return (
    <>
      <header>
        <a className="brand" href="#/">Vigil</a>
        <nav>
          {NAV.map(([path, label]) => (
            <a key={path} href={`#/${path}`} className={section === path ? "active" : ""}>{label}</a>
          ))}
        </nav>
        <span className="muted small live" title="live updates from the server">
          {info.data?.repositoryName} {info.data?.readOnly ? "· read-only" : ""} · live ({updates})
        </span>
      </header>
      <main>
        <Page route={route} />
      </main>
    </>
  );
}
