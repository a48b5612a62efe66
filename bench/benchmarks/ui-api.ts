// Issue 6: with 100,000 runs and 1,000,000 events on SQLite, every page's API calls answer in
// < 100 ms (in-process `app.request`, median and p95), and the built UI stays under 300 kB gzipped.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Instance } from "../../src/instance/index.js";
import { createApp } from "../../src/server/app.js";
import { benchDefinitions, loadUiApiData, NOW, runAt, RUNS, SENSORS } from "../fixtures/ui-api-data.js";
import { median, timeMs, type Benchmark, type Result } from "../harness.js";

const BAR_MS = 100;
const BUNDLE_BAR_KB = 300;
const CALLS = 15;

/** Each page's API calls, as the UI makes them; some filters match few or no runs (the slowest case). */
function pages(): Record<string, string[]> {
  const sensor = SENSORS[0];
  const run = runAt(RUNS - 1000).runId;
  const day = Math.floor((NOW - 86_400_000) / 60_000) * 60_000;
  return {
    overview: ["/api/info", "/api/overview"],
    "sensors list": ["/api/sensors"],
    "sensor detail": [`/api/sensors/${sensor}`, `/api/sensors/${sensor}/ticks?limit=50`, `/api/sensors/${sensor}/ticks?limit=50&status=FAILURE`, `/api/sensors/${sensor}/ticks?limit=1000&since=${day}`, `/api/runs?sensor=${sensor}&limit=20`],
    "runs, unfiltered": ["/api/runs", `/api/runs?cursor=${runAt(RUNS - 5000).runId}`],
    "runs by status": ["/api/runs?status=FAILURE", "/api/runs?status=STARTED", "/api/runs?status=QUEUED,STARTED"],
    "runs by job": ["/api/runs?job=report"],
    "runs by job and status": ["/api/runs?job=report&status=FAILURE", "/api/runs?job=cleanup&status=CANCELED", "/api/runs?job=ingest&status=CANCELING"],
    "runs by sensor": [`/api/runs?sensor=${SENSORS[1]}`, `/api/runs?sensor=${SENSORS[1]}&status=QUEUED`],
    "runs by tag": ["/api/runs?tag=team=team_3", "/api/runs?tag=env=prod&status=FAILURE", "/api/runs?tag=env=prod&status=CANCELING", "/api/runs?tag=team=team_3&job=report"],
    "run detail": [`/api/runs/${run}`, `/api/runs/${run}/events?limit=1000`],
    jobs: ["/api/jobs", "/api/jobs/report"],
    "assets list": ["/api/assets"],
    "asset history": [`/api/assets/${encodeURIComponent("warehouse/table_042")}`],
  };
}

function p95(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
}

/** Builds the UI into `outDir` and sums the gzipped size of what the browser loads (JS, CSS, HTML). */
function bundleKb(outDir: string): { kb: number; files: number } {
  execFileSync(process.execPath, ["node_modules/vite/bin/vite.js", "build", "--config", "ui/vite.config.ts", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], { stdio: "inherit" });
  const files = readdirSync(outDir, { recursive: true, encoding: "utf8" }).filter((f) => /\.(js|css|html)$/.test(f));
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(outDir, f)), { level: 9 }).length, 0);
  return { kb: bytes / 1024, files: files.length };
}

export const uiApi: Benchmark = {
  name: "ui-api",
  async run(context) {
    const home = join(context.tmpDir, "home");
    const results: Result[] = [];
    const bundle = bundleKb(join(context.tmpDir, "ui"));
    results.push({ figure: "UI bundle, gzipped", value: Number(bundle.kb.toFixed(1)), unit: "kB", bar: `< ${BUNDLE_BAR_KB} kB`, pass: bundle.kb < BUNDLE_BAR_KB, dialect: null, note: `${bundle.files} JS/CSS/HTML files of a fresh vite build, gzip -9` });
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "vigil.yaml"), 'storage:\n  sqlite:\n    path: "vigil.db"\nrunLauncher: in-process\n');
    await (await Instance.open(home)).close(); // creates and migrates the database
    let counts = { runs: 0, events: 0, ticks: 0 };
    const loadMs = await timeMs(async () => (counts = loadUiApiData(join(home, "vigil.db"))));
    context.log(`loaded ${counts.runs} runs, ${counts.events} events, ${counts.ticks} ticks in ${(loadMs / 1000).toFixed(1)} s`);
    const instance = await Instance.open(home);
    const { app, close } = createApp({ instance, definitions: benchDefinitions(), uiDir: null });
    try {
      for (const [page, paths] of Object.entries(pages())) {
        for (const path of paths) {
          const call = async () => {
            const res = await app.request(`http://127.0.0.1${path}`);
            if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
            return res.text();
          };
          const size = (await call()).length; // warm the page cache
          const samples: number[] = [];
          for (let i = 0; i < CALLS; i++) samples.push(await timeMs(call));
          const value = median(samples);
          const worst = p95(samples);
          results.push({
            figure: `UI API ${page}: GET ${path}`,
            value: Number(value.toFixed(2)),
            unit: "ms (median)",
            bar: `< ${BAR_MS} ms`,
            pass: worst < BAR_MS,
            dialect: "sqlite",
            note: `p95 ${worst.toFixed(2)} ms over ${CALLS} calls; ${size} bytes; ${counts.runs} runs, ${counts.events} events, ${counts.ticks} ticks (load ${(loadMs / 1000).toFixed(1)} s)`,
          });
        }
      }
    } finally {
      close();
      await instance.close();
    }
    return results;
  },
};
