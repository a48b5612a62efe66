// The queue launcher on PostgreSQL (`runLauncher: queue`: daemons claim runs and enqueue them in
// graphile-worker, `vigil worker` processes execute them). Every phase gets a temporary database
// and a temporary project (definitions importing "vigil", bench/fixtures/queue-launcher-defs.mjs:
// a no-op job; sensors `every`, `burst` and `idle`), runs `vigil daemon` and `vigil worker`
// processes from the TypeScript sources, polls storage with `Instance.open(home)`, stops every
// process and drops the database. Figures:
// 1. queued → started p50 (bar) and p95 with one warm worker (`--concurrency 4`, ready before the
//    daemon starts): `every` is started once the daemon runs and requests one run per tick at 1 s,
//    30 runs (10 with BENCH_QUICK=1); createdAt (tick commit) → startedAt (the worker's RUN_START).
//    The same with `runLauncher: subprocess` (warm pool default), for comparison.
// 2. throughput through 1, 2 and 3 workers (`--concurrency 4` each, ready before the daemon
//    starts): `burst`'s first tick requests 5,000 runs (500 with BENCH_QUICK=1); runs / (first
//    createdAt → last endedAt). With 3 workers, also the daemon's tick cost while the queue drains:
//    the median endTimestamp − timestamp of `idle`'s ticks (1 s, skips) inside that window.
// 3. connections held at rest, from pg_stat_activity (client backends of the temporary database;
//    the benchmark's own instance closed first): the daemon alone after it enqueued a burst of 20
//    runs and ~3 s idle; then a worker is started, drains them, ~3 s idle, and the difference of the
//    counts is the worker's.
import { join } from "node:path";
import pg from "pg";
import { Instance } from "../../src/instance/index.js";
import { RunStatus, type Run } from "../../src/model/index.js";
import { createTempDatabase } from "../../test/support/postgres.js";
import type { VigilProcess } from "../../test/support/vigil-process.js";
import { childPids, commandLine, isRunning, makeBenchProject, outputTail, percentile, waitFor, type BenchProject } from "../fixtures/daemon-processes.js";
import { median, type BenchContext, type Benchmark, type Result } from "../harness.js";

const QUICK = process.env.BENCH_QUICK === "1";
const LATENCY_RUNS = QUICK ? 10 : 30;
const BURST_RUNS = QUICK ? 500 : 5_000;
const WORKER_COUNTS = [1, 2, 3] as const;
/** The worker count whose drain also measures the daemon's tick cost. */
const TICK_COST_WORKERS = 3;
const CONCURRENCY = 4;
const REST_RUNS = 20;
const IDLE_MS = 3_000;
/** After the daemon runs, before `every` is started: time for the subprocess launcher's warm pool (and the first lease round). */
const WARM_UP_MS = 5_000;
const LATENCY_BAR_MS = 100;
const STARTUP_TIMEOUT_MS = 120_000;
/** Runs that make no progress for this long have stalled. */
const STALL_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;
const NOT_SUCCESS = [RunStatus.FAILURE, RunStatus.CANCELED, RunStatus.CANCELING];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Launcher = "queue" | "subprocess";

/** One phase: its temporary database, project, polling instance, and the processes it started. */
interface Phase {
  databaseName: string;
  project: BenchProject;
  instance: Instance;
  processes: VigilProcess[];
}

/** Runs `fn` on a fresh database and project with `launcher`; stops every process, closes the instance and drops the database afterwards. */
async function withPhase<T>(context: BenchContext, name: string, launcher: Launcher, env: Record<string, string>, fn: (phase: Phase) => Promise<T>): Promise<T> {
  const database = await createTempDatabase(context.postgresUrl ?? "");
  const project = makeBenchProject(join(context.tmpDir, name), "queue-launcher-defs.mjs", env);
  let phase: Phase | null = null;
  try {
    project.write(".vigil/vigil.yaml", [`storage: { postgres: { url: "${database.url}" } }`, `runLauncher: ${launcher}`, ""].join("\n"));
    phase = { databaseName: new URL(database.url).pathname.slice(1), project, instance: await Instance.open(project.home), processes: [] };
    return await fn(phase);
  } finally {
    for (const p of phase?.processes ?? []) await stopGracefully(p);
    await project.stopAll();
    await phase?.instance.close();
    await database.drop();
  }
}

/** Waits until `p` printed `ready`; throws if it exits first. */
async function whenReady(p: VigilProcess, ready: string): Promise<VigilProcess> {
  await waitFor(
    async () => {
      if (p.output().includes(ready)) return true;
      if (!isRunning(p)) throw new Error(`A process exited before printing "${ready}":\n${outputTail(p)}`);
      return undefined;
    },
    () => `"${ready}"; it printed:\n${outputTail(p)}`,
    STARTUP_TIMEOUT_MS,
  );
  return p;
}

/** Starts the daemon and waits until it runs. */
function startDaemon(phase: Phase): Promise<VigilProcess> {
  const daemon = phase.project.startDaemon("none");
  phase.processes.push(daemon);
  return whenReady(daemon, "Vigil daemon running");
}

/** Starts `count` workers (`--concurrency 4`) and waits until each is ready. */
function startWorkers(phase: Phase, count: number): Promise<VigilProcess[]> {
  const workers = Array.from({ length: count }, () => phase.project.startWorker(CONCURRENCY));
  phase.processes.push(...workers);
  return Promise.all(workers.map((w) => whenReady(w, "Vigil worker")));
}

/** Stops `p` with SIGTERM (SIGKILL after a timeout), then kills the subprocess run workers it left (same pid and command line, so never a reused pid). */
async function stopGracefully(p: VigilProcess): Promise<void> {
  const runWorkers = childPids(p.pid())
    .map((pid) => [pid, commandLine(pid)] as const)
    .filter(([, command]) => command.includes("--worker-id="));
  if (isRunning(p)) p.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([p.exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS)))]);
  clearTimeout(timer);
  if (!stopped) p.child.kill("SIGKILL");
  await p.exited;
  for (const [pid, command] of runWorkers) if (commandLine(pid) === command) process.kill(pid, "SIGKILL");
}

/** Polls storage until `expected` runs have `status`; throws on a run that failed, a process exit or a stall. */
async function waitForRuns(instance: Instance, expected: number, status: RunStatus, processes: readonly VigilProcess[]): Promise<void> {
  let done = -1;
  let progressAt = Date.now();
  const outputs = () => processes.map((p) => outputTail(p, 8)).join("\n---\n");
  await waitFor(
    async () => {
      const failed = await instance.storage.countRuns({ statuses: NOT_SUCCESS });
      if (failed > 0) throw new Error(`${failed} run(s) did not succeed; the processes printed:\n${outputs()}`);
      if (processes.some((p) => !isRunning(p))) throw new Error(`A process exited:\n${outputs()}`);
      const count = await instance.storage.countRuns({ statuses: [status] });
      if (count !== done) [done, progressAt] = [count, Date.now()];
      if (Date.now() - progressAt > STALL_TIMEOUT_MS) throw new Error(`No progress for ${STALL_TIMEOUT_MS / 1000} s (${done} of ${expected} runs ${status}):\n${outputs()}`);
      return count === expected ? true : undefined;
    },
    () => `${expected} runs to be ${status} (${done} are)`,
    Number.POSITIVE_INFINITY,
    250,
  );
}

/** The noop_job runs, oldest first. */
async function noopRuns(instance: Instance): Promise<Run[]> {
  return (await instance.getRuns({ jobName: "noop_job" })).sort((a, b) => a.createdAt - b.createdAt);
}

/** Figure 1, one launcher: `every` requests LATENCY_RUNS runs at one per second; their createdAt → startedAt (ms). */
function latencySamples(context: BenchContext, launcher: Launcher): Promise<number[]> {
  return withPhase(context, `latency-${launcher}`, launcher, { BENCH_QUEUE_EVERY: String(LATENCY_RUNS) }, async (phase) => {
    const workers = launcher === "queue" ? await startWorkers(phase, 1) : [];
    const daemon = await startDaemon(phase);
    await sleep(WARM_UP_MS);
    await phase.instance.startSensor("every");
    await waitForRuns(phase.instance, LATENCY_RUNS, RunStatus.SUCCESS, [daemon, ...workers]);
    return (await noopRuns(phase.instance)).map((r) => (r.startedAt ?? 0) - r.createdAt);
  });
}

/** Figure 2, one worker count: the drain of BURST_RUNS runs (first createdAt → last endedAt), and `idle`'s tick durations inside it. */
function drain(context: BenchContext, workerCount: number): Promise<{ wallMs: number; tickMs: number[] }> {
  return withPhase(context, `throughput-${workerCount}`, "queue", { BENCH_QUEUE_BURST: String(BURST_RUNS) }, async (phase) => {
    const workers = await startWorkers(phase, workerCount);
    const daemon = await startDaemon(phase);
    await waitForRuns(phase.instance, BURST_RUNS, RunStatus.SUCCESS, [daemon, ...workers]);
    const runs = await noopRuns(phase.instance);
    const first = Math.min(...runs.map((r) => r.createdAt));
    const last = Math.max(...runs.map((r) => r.endedAt ?? 0));
    const ticks = await phase.instance.getTicks("idle", { limit: 100_000 });
    const tickMs = ticks.filter((t) => t.endTimestamp !== null && t.timestamp >= first && t.endTimestamp <= last).map((t) => (t.endTimestamp ?? 0) - t.timestamp);
    return { wallMs: last - first, tickMs };
  });
}

/** Client connections to `databaseName`, counted from the server's default database after IDLE_MS of rest. */
async function connectionsAtRest(serverUrl: string, databaseName: string): Promise<number> {
  await sleep(IDLE_MS);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("select count(*) as n from pg_stat_activity where datname = $1 and backend_type = 'client backend'", [databaseName]);
    return Number(rows[0]?.n ?? Number.NaN);
  } finally {
    await client.end();
  }
}

/** Figure 3: connections held at rest by the daemon alone, then by one worker (the difference once it is added). */
function restingConnections(context: BenchContext): Promise<{ daemon: number; worker: number }> {
  const serverUrl = context.postgresUrl ?? "";
  return withPhase(context, "rest", "queue", { BENCH_QUEUE_BURST: String(REST_RUNS) }, async (phase) => {
    const daemon = await startDaemon(phase);
    await waitForRuns(phase.instance, REST_RUNS, RunStatus.STARTING, [daemon]); // claimed and enqueued; no worker yet
    await phase.instance.close(); // its connections must not be counted
    const daemonOnly = await connectionsAtRest(serverUrl, phase.databaseName);
    const [worker] = await startWorkers(phase, 1);
    const polling = await Instance.open(phase.project.home);
    try {
      await waitForRuns(polling, REST_RUNS, RunStatus.SUCCESS, [daemon, ...(worker === undefined ? [] : [worker])]);
    } finally {
      await polling.close();
    }
    const both = await connectionsAtRest(serverUrl, phase.databaseName);
    return { daemon: daemonOnly, worker: both - daemonOnly };
  });
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** Figure 1's rows: p50 (held to the bar) and p95 for the queue, then both for the subprocess launcher. */
function latencyResults(queue: readonly number[], subprocess: readonly number[]): Result[] {
  const how =
    `${LATENCY_RUNS} no-op runs requested one per tick by a sensor at minimumIntervalSeconds 1 (run key = a counter from its cursor), started ${WARM_UP_MS / 1000} s after the daemon was running; ` +
    `queued = createdAt (tick commit), started = startedAt (RUN_START of the process executing it); one vigil daemon from the TypeScript sources (tsx)`;
  const queueNote = `${how}; runLauncher: queue, one vigil worker --concurrency ${CONCURRENCY} started and ready before the daemon; per run ${queue.map((ms) => ms.toFixed(0)).join(", ")} ms`;
  const subprocessNote = `same run, for comparison: ${how}; runLauncher: subprocess, warm pool default (subprocessLauncher.warmWorkers 2); per run ${subprocess.map((ms) => ms.toFixed(0)).join(", ")} ms`;
  const p50 = median(queue);
  return [
    { figure: "queue launcher, queued → started, one warm worker", value: round(p50), unit: "ms (p50)", bar: `< ${LATENCY_BAR_MS} ms`, pass: p50 < LATENCY_BAR_MS, dialect: "postgres", note: queueNote },
    { figure: "queue launcher, queued → started, one warm worker", value: round(percentile(queue, 0.95)), unit: "ms (p95)", bar: null, pass: null, dialect: "postgres", note: queueNote },
    { figure: "subprocess launcher, queued → started (same run, for comparison)", value: round(median(subprocess)), unit: "ms (p50)", bar: null, pass: null, dialect: "postgres", note: subprocessNote },
    { figure: "subprocess launcher, queued → started (same run, for comparison)", value: round(percentile(subprocess, 0.95)), unit: "ms (p95)", bar: null, pass: null, dialect: "postgres", note: subprocessNote },
  ];
}

/** Figure 2's row for one worker count. */
function throughputResult(workerCount: number, wallMs: number): Result {
  const note =
    `measured, no SPEC bar: one tick of ${BURST_RUNS} new RunRequests (distinct run keys) of a no-op job, runLauncher: queue, ${workerCount} vigil worker process(es) --concurrency ${CONCURRENCY} started and ready before the daemon (whose first tick requests them); ` +
    `runs / (first createdAt → last endedAt = ${(wallMs / 1000).toFixed(2)} s); fresh database per worker count; daemon and workers from the TypeScript sources (tsx)`;
  return { figure: `queue launcher throughput, ${BURST_RUNS} runs in one tick, ${workerCount} worker(s) × concurrency ${CONCURRENCY}`, value: round(BURST_RUNS / (wallMs / 1000)), unit: "runs/s", bar: null, pass: null, dialect: "postgres", note };
}

/** Figure 2's tick cost row (the 3-worker drain). */
function tickCostResult(tickMs: readonly number[]): Result {
  const note =
    `measured, no SPEC bar: median endTimestamp − timestamp of the ${tickMs.length} ticks of a trivial sensor (minimumIntervalSeconds 1, skips) of the daemon that fall between the first run's createdAt and the last run's endedAt, ` +
    `while ${TICK_COST_WORKERS} workers × concurrency ${CONCURRENCY} drain ${BURST_RUNS} runs; per tick ${tickMs.map((ms) => ms.toFixed(0)).join(", ")} ms`;
  return { figure: `daemon tick cost while the queue drains (${BURST_RUNS} runs, ${TICK_COST_WORKERS} workers)`, value: round(median(tickMs)), unit: "ms (p50)", bar: null, pass: null, dialect: "postgres", note };
}

/** Figure 3's rows. */
function connectionResults(counts: { daemon: number; worker: number }): Result[] {
  const how =
    `rows of pg_stat_activity (backend_type client backend) of the temporary database, the benchmark's own connections closed; runLauncher: queue; ` +
    `the daemon alone, ${IDLE_MS / 1000} s after it claimed and enqueued ${REST_RUNS} runs; then one worker started, ${IDLE_MS / 1000} s after it executed them, counted again`;
  return [
    { figure: "connections at rest, daemon", value: counts.daemon, unit: "connections", bar: null, pass: null, dialect: "postgres", note: `${how}: this is the first count` },
    { figure: `connections at rest, worker (concurrency ${CONCURRENCY})`, value: counts.worker, unit: "connections", bar: null, pass: null, dialect: "postgres", note: `${how}: this is the second count minus the first (idle node-postgres connections close after 10 s, so a pool may shrink later)` },
  ];
}

export const queueLauncher: Benchmark = {
  name: "queue-launcher",
  async run(context) {
    if (context.postgresUrl === null) {
      context.log("skipped: PostgreSQL only (runLauncher: queue keeps its work queue in PostgreSQL), and none is available");
      return [];
    }
    const queue = await latencySamples(context, "queue");
    const subprocess = await latencySamples(context, "subprocess");
    context.log(`queued → started p50: queue ${median(queue).toFixed(0)} ms, subprocess ${median(subprocess).toFixed(0)} ms`);
    const out = latencyResults(queue, subprocess);
    for (const workerCount of WORKER_COUNTS) {
      const { wallMs, tickMs } = await drain(context, workerCount);
      out.push(throughputResult(workerCount, wallMs));
      context.log(`${workerCount} worker(s): ${BURST_RUNS} runs in ${(wallMs / 1000).toFixed(2)} s`);
      if (workerCount !== TICK_COST_WORKERS) continue;
      if (tickMs.length > 0) out.push(tickCostResult(tickMs));
      else context.log("no tick of the idle sensor fell inside the drain: no tick cost figure");
    }
    const counts = await restingConnections(context);
    context.log(`connections at rest: daemon ${counts.daemon}, worker ${counts.worker}`);
    return [...out, ...connectionResults(counts)];
  },
};
