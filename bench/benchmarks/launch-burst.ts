// One tick of 1,000 new RunRequests launched with the subprocess launcher (SQLite): a temporary
// home with no vigil.yaml (defaults: subprocess launcher, a warm pool of 2, `maxConcurrentRuns`
// twice the CPUs), definitions importing "vigil" (bench/fixtures/launch-burst-defs.mjs: one sensor
// whose first tick requests the 1,000 runs of a no-op job), one `vigil daemon` process from the
// TypeScript sources. Storage is polled until every run is SUCCESS. Figures: queued → started
// (createdAt, the tick's commit → startedAt, the worker's RUN_START) p50 and p95; the wall time
// from the first run queued to the last run ended, and runs/s; the peak of run worker processes,
// sampled every 100 ms as the daemon's children whose command line carries `--worker-id=` (warm
// pool workers waiting for a run count too). BENCH_QUICK=1: 100 requests.
import { join } from "node:path";
import { Instance } from "../../src/instance/index.js";
import { RunStatus, type Run } from "../../src/model/index.js";
import type { VigilProcess } from "../../test/support/vigil-process.js";
import { childPids, commandLine, isRunning, makeBenchProject, outputTail, percentile, waitFor } from "../fixtures/daemon-processes.js";
import { median, type Benchmark, type Result } from "../harness.js";

const REQUESTS = process.env.BENCH_QUICK === "1" ? 100 : 1_000;
const SAMPLE_EVERY_MS = 100;
/** A burst that makes no progress for this long has stalled. */
const STALL_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;
const NOT_SUCCESS = [RunStatus.FAILURE, RunStatus.CANCELED, RunStatus.CANCELING];

/** Samples the daemon's run worker processes: the peak count, and every one seen with its command line (to clean up). */
class WorkerSampler {
  peak = 0;
  readonly seen = new Map<number, string>();
  readonly #timer: NodeJS.Timeout;

  constructor(daemonPid: number) {
    this.#timer = setInterval(() => {
      const workers = childPids(daemonPid)
        .map((pid) => [pid, commandLine(pid)] as const)
        .filter(([, command]) => command.includes("--worker-id="));
      for (const [pid, command] of workers) this.seen.set(pid, command);
      this.peak = Math.max(this.peak, workers.length);
    }, SAMPLE_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Polls storage until every requested run is SUCCESS; throws on a run that ended otherwise, a daemon exit or a stall. */
async function waitForRuns(instance: Instance, daemon: VigilProcess): Promise<void> {
  let done = -1;
  let progressAt = Date.now();
  await waitFor(
    async () => {
      const failed = await instance.storage.countRuns({ statuses: NOT_SUCCESS });
      if (failed > 0) throw new Error(`${failed} run(s) did not succeed; the daemon printed:\n${outputTail(daemon)}`);
      if (!isRunning(daemon)) throw new Error(`The daemon exited:\n${outputTail(daemon)}`);
      const succeeded = await instance.storage.countRuns({ statuses: [RunStatus.SUCCESS] });
      if (succeeded !== done) [done, progressAt] = [succeeded, Date.now()];
      if (Date.now() - progressAt > STALL_TIMEOUT_MS) throw new Error(`No run ended for ${STALL_TIMEOUT_MS / 1000} s (${done} of ${REQUESTS} succeeded):\n${outputTail(daemon)}`);
      return succeeded === REQUESTS ? true : undefined;
    },
    () => `${REQUESTS} runs to succeed (${done} did)`,
    Number.POSITIVE_INFINITY,
    250,
  );
}

/** Stops the daemon with SIGTERM (its launcher stops the warm workers), SIGKILL after a timeout; then kills any run worker left (same pid and command line, so never a reused pid). */
async function stopDaemon(daemon: VigilProcess, workers: ReadonlyMap<number, string>): Promise<void> {
  if (isRunning(daemon)) daemon.child.kill("SIGTERM");
  const stopped = await Promise.race([daemon.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS))]);
  if (!stopped) daemon.child.kill("SIGKILL");
  await daemon.exited;
  for (const [pid, command] of workers) if (commandLine(pid) === command) process.kill(pid, "SIGKILL");
}

/** The rows: queued → started p50 and p95, wall time, throughput, peak worker processes. */
function results(runs: readonly Run[], peakWorkers: number, maxConcurrentRuns: number, warmWorkers: number): Result[] {
  const waits = runs.map((r) => (r.startedAt ?? 0) - r.createdAt);
  const wallMs = Math.max(...runs.map((r) => r.endedAt ?? 0)) - Math.min(...runs.map((r) => r.createdAt));
  const note =
    `measured, no SPEC bar; the default limit bounds the processes: one tick of ${runs.length} new RunRequests (distinct run keys) of a no-op job, ` +
    `subprocess launcher from the TypeScript sources (tsx), default maxConcurrentRuns ${maxConcurrentRuns} (twice the CPUs), warm pool of ${warmWorkers}; ` +
    `queued = createdAt (tick commit), started = startedAt (worker's RUN_START); wall time = first createdAt → last endedAt; ` +
    `worker processes sampled every ${SAMPLE_EVERY_MS} ms as the daemon's children with --worker-id (warm pool workers count too)`;
  const row = (figure: string, value: number, unit: string): Result => ({ figure: `launch burst, ${runs.length} runs in one tick: ${figure}`, value: Number(value.toFixed(3)), unit, bar: null, pass: null, dialect: "sqlite", note });
  return [
    row("queued → started", median(waits), "ms (p50)"),
    row("queued → started", percentile(waits, 0.95), "ms (p95)"),
    row("wall time, first queued → last ended", wallMs / 1000, "s"),
    row("throughput", runs.length / (wallMs / 1000), "runs/s"),
    row("peak worker processes", peakWorkers, "processes"),
  ];
}

export const launchBurst: Benchmark = {
  name: "launch-burst",
  async run(context) {
    const project = makeBenchProject(join(context.tmpDir, "project"), "launch-burst-defs.mjs", { BENCH_BURST_REQUESTS: String(REQUESTS) });
    const instance = await Instance.open(project.home);
    let daemon: VigilProcess | null = null;
    let sampler: WorkerSampler | null = null;
    try {
      const { maxConcurrentRuns } = instance.config.runCoordinator;
      daemon = project.startDaemon("none");
      sampler = new WorkerSampler(daemon.pid());
      await waitForRuns(instance, daemon);
      sampler.stop();
      const runs = await instance.getRuns({ jobName: "noop_job" });
      const out = results(runs, sampler.peak, maxConcurrentRuns, instance.config.subprocessLauncher.warmWorkers);
      context.log(out.map((r) => `${r.figure.split(": ")[1] ?? r.figure} ${r.value} ${r.unit}`).join("; "));
      return out;
    } finally {
      sampler?.stop();
      if (daemon !== null) await stopDaemon(daemon, sampler?.seen ?? new Map());
      await project.stopAll();
      await instance.close();
    }
  },
};
