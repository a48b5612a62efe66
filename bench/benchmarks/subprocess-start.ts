// Queued → started with the subprocess launcher (p50): a daemon with `runLauncher: subprocess`
// and a sensor requesting one run per second; each run is taken by a warm worker process.
// The figure is measured on the built package, as users run it: a driver script under plain `node`
// imports "vigil" (dist/) and loads a JavaScript definitions module. A second, labelled row runs
// the same from the TypeScript sources through tsx (this repo's dev setup), for comparison.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Daemon } from "../../src/daemon/daemon.js";
import { Instance } from "../../src/instance/index.js";
import { median, type Benchmark, type Result } from "../harness.js";

const DURATION_MS = 30_000;
const WARM_WORKERS = 2;
const repo = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile (0..1) of `values`. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** The newest modification time of the files under `dir` (recursively), in ms. */
function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }, 0);
}

/** Compiles `src/` to `dist/` (tsc only, not the UI) when dist/index.js is missing or older than a source file. */
function ensureBuilt(log: (message: string) => void): void {
  const entry = join(repo, "dist", "index.js");
  let built = -1;
  try {
    built = statSync(entry).mtimeMs;
  } catch {
    // Not built yet.
  }
  if (built >= newestMtime(join(repo, "src"))) return;
  log("dist/ is missing or older than src/: compiling with tsc -p tsconfig.build.json");
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: repo, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`Building dist/ failed (tsc exit ${String(result.status)}): ${result.stdout}${result.stderr}`);
}

/** Writes the instance config both rows use into `home`. */
function writeConfig(home: string): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, "vigil.yaml"), `runLauncher: subprocess\nsubprocessLauncher:\n  warmWorkers: ${WARM_WORKERS}\n`);
}

/** Samples (ms) from the built package: the driver runs under plain `node`, resolving "vigil" to dist/. */
async function samplesFromDist(home: string): Promise<number[]> {
  const child = spawn(process.execPath, [fixture("subprocess-start-driver.mjs"), home, fixture("subprocess-defs.mjs"), String(DURATION_MS)], {
    cwd: repo,
    // No tsx and no vigil-source condition may leak in from this (tsx) process.
    env: { ...process.env, NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`The dist/ driver exited with code ${String(code)}; see its stderr above.`);
  return (JSON.parse(out) as { samples: number[] }).samples;
}

/** Samples (ms) from the TypeScript sources: daemon in this (tsx) process, workers started with tsx; "vigil" resolves to src/. */
async function samplesFromSource(home: string): Promise<number[]> {
  const instance = await Instance.open(home);
  const daemon = new Daemon({ instance, definitions: fixture("subprocess-defs.mjs"), loopIntervalMs: 250, log: () => undefined });
  try {
    daemon.start();
    await sleep(DURATION_MS);
    await daemon.close();
    const runs = (await instance.getRuns({ jobName: "noop_job" })).filter((r) => r.startedAt !== null);
    return runs.map((r) => (r.startedAt ?? 0) - r.createdAt);
  } finally {
    await daemon.close();
    await instance.close();
  }
}

/**
 * One row: p50 with p90, max, run count and the machine's load around it. Only the built-package
 * row is held to the bar; the from-source row is for comparison.
 */
async function measure(label: string, how: string, held: boolean, sample: () => Promise<number[]>): Promise<Result> {
  const loadBefore = loadavg()[0] ?? 0;
  const samples = await sample();
  const loadAfter = loadavg()[0] ?? 0;
  const p50 = median(samples);
  const note =
    `${how}; ${samples.length} runs of a sensor at 1 s over ${DURATION_MS / 1000} s; createdAt (commit) → startedAt (worker's RUN_START); ` +
    `warm pool of ${WARM_WORKERS} workers (subprocessLauncher.warmWorkers); p90 ${percentile(samples, 0.9)} ms, max ${Math.max(...samples)} ms; ` +
    `1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, on ${cpus().length} cores`;
  const value = Number(p50.toFixed(3));
  const figure = `queued → started, subprocess launcher${label}`;
  return { figure, value, unit: "ms (p50)", bar: held ? "< 500 ms" : null, pass: held ? p50 < 500 : null, dialect: "sqlite", note };
}

export const subprocessStartBenchmark: Benchmark = {
  name: "subprocess-start",
  async run(context) {
    ensureBuilt(context.log);
    const dist = await measure("", "built package (dist/) under plain node, JavaScript definitions importing \"vigil\"", true, () => {
      const home = join(context.tmpDir, "dist");
      writeConfig(home);
      return samplesFromDist(home);
    });
    context.log(`queued → started ${dist.value} ms (p50), built package`);
    const source = await measure(" (from TypeScript sources via tsx)", "Vigil and workers from src/ through tsx (dev setup, not what users run; not held to the bar)", false, () => {
      const home = join(context.tmpDir, "source");
      writeConfig(home);
      return samplesFromSource(home);
    });
    context.log(`queued → started ${source.value} ms (p50), from sources`);
    return [dist, source];
  },
};
