// Queued → started with the subprocess launcher (p50): a daemon with `runLauncher: subprocess`
// and a sensor requesting one run per second; each run is taken by a warm worker process.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Daemon } from "../../src/daemon/daemon.js";
import { Instance } from "../../src/instance/index.js";
import { median, type Benchmark, type Result } from "../harness.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile (0..1) of `values`. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** A sensor's run QUEUED → STARTED (RUN_START written by its worker process), subprocess launcher. */
async function subprocessStart(tmpDir: string): Promise<Result> {
  writeFileSync(`${tmpDir}/vigil.yaml`, "runLauncher: subprocess\n");
  const instance = await Instance.open(tmpDir);
  const daemon = new Daemon({ instance, definitions: fileURLToPath(new URL("../fixtures/subprocess-defs.ts", import.meta.url)), loopIntervalMs: 250, log: () => undefined });
  try {
    daemon.start();
    await sleep(20_000);
    await daemon.close();
    const runs = (await instance.getRuns({ jobName: "noop_job" })).filter((r) => r.startedAt !== null);
    const samples = runs.map((r) => (r.startedAt ?? 0) - r.createdAt);
    const p50 = median(samples);
    const note = `${runs.length} runs of a sensor at 1 s; createdAt (commit) → startedAt (worker's RUN_START); warm pool of 2 workers; p90 ${percentile(samples, 0.9)} ms, max ${Math.max(...samples)} ms; Vigil and workers run from TypeScript sources via tsx`;
    return { figure: "queued → started, subprocess launcher", value: Number(p50.toFixed(3)), unit: "ms (p50)", bar: "< 500 ms", pass: p50 < 500, dialect: "sqlite", note };
  } finally {
    await daemon.close();
    await instance.close();
  }
}

export const subprocessStartBenchmark: Benchmark = {
  name: "subprocess-start",
  async run(context) {
    const result = await subprocessStart(context.tmpDir);
    context.log(`queued → started ${result.value} ms (p50)`);
    return [result];
  },
};
