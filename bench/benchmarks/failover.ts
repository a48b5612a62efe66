// Daemon failover on PostgreSQL: how long a killed daemon's sensors go unticked before another
// daemon ticks them (docs/ownership.md: under `2 × leaseSeconds` plus the sensor's interval).
// A temporary project (definitions importing "vigil", bench/fixtures/failover-defs.mjs: 20 running
// sensors at 1 s that skip) on a temporary database, `daemon.leaseSeconds: 5`, the in-process
// launcher; two `vigil daemon` processes, each a single OS process, in its own PID namespace where
// the machine allows it (then no daemon can see another's pid: only the storage leases decide).
// Ten times (three with BENCH_QUICK=1): SIGKILL the oldest daemon that holds sensors, poll storage
// every 50 ms for each of its sensors' first tick after the kill, and take the slowest sensor as
// that kill's failover time; then start a replacement and wait until the leases are spread again
// and every sensor has ticked since. Figures: p50 and max over the kills (the max held to the bar).
import { join } from "node:path";
import { Instance } from "../../src/instance/index.js";
import type { LeaseRecord } from "../../src/model/index.js";
import { createTempDatabase } from "../../test/support/postgres.js";
import { kill9, namespacesAvailable, type Namespaces, type VigilProcess } from "../../test/support/vigil-process.js";
import { daemonId, isRunning, makeBenchProject, outputTail, waitFor, type BenchProject } from "../fixtures/daemon-processes.js";
import { median, type Benchmark, type Result } from "../harness.js";

const QUICK = process.env.BENCH_QUICK === "1";
const KILLS = QUICK ? 3 : 10;
const SENSORS = 20;
const INTERVAL_SECONDS = 1;
const LEASE_SECONDS = 5;
const DAEMONS = 2;
const BAR_SECONDS = 2 * LEASE_SECONDS + INTERVAL_SECONDS;
const STARTUP_TIMEOUT_MS = 120_000;
const FAILOVER_TIMEOUT_MS = 60_000;
const sensorNames = Array.from({ length: SENSORS }, (_, i) => `s${i}`);

/** The daemons started and not killed, oldest first. */
type Daemons = VigilProcess[];

/** Writes the instance config: the temporary database, in-process runs, short leases. */
function writeConfig(project: BenchProject, url: string): void {
  project.write(".vigil/vigil.yaml", [`storage: { postgres: { url: "${url}" } }`, "runLauncher: in-process", `daemon: { leaseSeconds: ${LEASE_SECONDS} }`, ""].join("\n"));
}

/** The sensor leases. */
async function sensorLeases(instance: Instance): Promise<LeaseRecord[]> {
  return (await instance.storage.getLeases()).filter((l) => l.kind === "sensor");
}

/** Starts a daemon and waits until it has registered (its first lease round). */
async function startDaemon(project: BenchProject, namespaces: Namespaces, daemons: Daemons): Promise<VigilProcess> {
  const daemon = project.startDaemon(namespaces);
  daemons.push(daemon);
  await waitFor(async () => (daemonId(daemon) ?? (isRunning(daemon) ? undefined : "exited")), () => `a daemon to register; it printed:\n${outputTail(daemon)}`, STARTUP_TIMEOUT_MS);
  if (!isRunning(daemon)) throw new Error(`A daemon exited while starting:\n${outputTail(daemon)}`);
  return daemon;
}

/**
 * Waits until every sensor is leased by a live daemon, each holding its fair share (to within one),
 * and then until every sensor has ticked since: the steady state a kill starts from.
 */
async function waitUntilSpread(instance: Instance, daemons: Daemons): Promise<void> {
  const live = daemons.map((d) => daemonId(d));
  let counts: number[] = [];
  const spread = await waitFor(
    async () => {
      const leases = await sensorLeases(instance);
      counts = live.map((id) => leases.filter((l) => l.owner === id).length);
      const balanced = leases.length === SENSORS && counts.reduce((a, b) => a + b, 0) === SENSORS && Math.max(...counts) - Math.min(...counts) <= 1;
      return balanced ? Date.now() : undefined;
    },
    () => `the ${SENSORS} sensor leases to spread over the live daemons ${live.join(", ")} (they hold ${counts.join(", ")}); their output:\n${daemons.map((d) => outputTail(d, 5)).join("\n---\n")}`,
    STARTUP_TIMEOUT_MS,
  );
  await waitFor(
    async () => ((await Promise.all(sensorNames.map(async (name) => ((await instance.getTicks(name, { limit: 1 }))[0]?.timestamp ?? 0) > spread))).every(Boolean) ? true : undefined),
    () => "every sensor to tick after the leases spread",
    FAILOVER_TIMEOUT_MS,
  );
}

/** The oldest live daemon holding sensors, and their names. */
async function pickVictim(instance: Instance, daemons: Daemons): Promise<{ victim: VigilProcess; sensors: string[] }> {
  const leases = await sensorLeases(instance);
  for (const victim of daemons) {
    const sensors = leases.filter((l) => l.owner === daemonId(victim)).map((l) => l.name);
    if (sensors.length > 0) return { victim, sensors };
  }
  throw new Error(`No live daemon holds a sensor lease: ${JSON.stringify(leases)}`);
}

/** Polls storage every 50 ms until each of `sensors` has a tick after `killedAt`; returns the slowest one's delay (ms). */
async function failoverMs(instance: Instance, sensors: readonly string[], killedAt: number): Promise<number> {
  const pending = new Set(sensors);
  let slowest = 0;
  await waitFor(
    async () => {
      for (const name of [...pending]) {
        const [tick] = await instance.getTicks(name, { limit: 1 });
        if (tick === undefined || tick.timestamp <= killedAt) continue;
        slowest = Math.max(slowest, tick.timestamp - killedAt);
        pending.delete(name);
      }
      return pending.size === 0 ? true : undefined;
    },
    () => `sensors ${[...pending].join(", ")} to tick again after the kill`,
    FAILOVER_TIMEOUT_MS,
    50,
  );
  return slowest;
}

/** One kill: SIGKILL a daemon holding sensors, measure its failover, start a replacement and let the leases spread. */
async function killOnce(instance: Instance, project: BenchProject, namespaces: Namespaces, daemons: Daemons): Promise<number> {
  const { victim, sensors } = await pickVictim(instance, daemons);
  const pid = victim.pid();
  if (pid <= 0) throw new Error(`Cannot find the pid of daemon ${String(daemonId(victim))}.`);
  const killedAt = Date.now();
  kill9(pid);
  daemons.splice(daemons.indexOf(victim), 1);
  const ms = await failoverMs(instance, sensors, killedAt);
  await victim.exited;
  await startDaemon(project, namespaces, daemons);
  await waitUntilSpread(instance, daemons);
  return ms;
}

/** The two rows: p50 (no bar) and max (held to 2 × leaseSeconds + interval). */
function results(samplesMs: readonly number[], namespaces: Namespaces): Result[] {
  const isolation =
    namespaces === "pid"
      ? "each daemon in its own PID namespace (unshare --pid), so only the storage leases decide"
      : "no PID namespaces (unshare refused here): the daemons share one, so the same-host pid fast path may find a killed daemon before its lease lapses";
  const note =
    `${samplesMs.length} SIGKILLs of a daemon (of ${DAEMONS}) holding sensors, each replaced; ${SENSORS} running sensors at minimumIntervalSeconds ${INTERVAL_SECONDS} that skip; ` +
    `daemon.leaseSeconds ${LEASE_SECONDS}; in-process launcher; per kill: the slowest of the killed daemon's sensors, kill → its first tick after the kill (storage polled every 50 ms); ` +
    `${isolation}; bar 2 × leaseSeconds + interval; per kill ${samplesMs.map((ms) => (ms / 1000).toFixed(2)).join(", ")} s`;
  const max = Math.max(...samplesMs);
  const figure = "daemon failover: killed daemon's sensors ticking on another daemon";
  return [
    { figure: `${figure} (p50 over kills)`, value: Number((median(samplesMs) / 1000).toFixed(3)), unit: "s (p50)", bar: null, pass: null, dialect: "postgres", note },
    { figure: `${figure} (max over kills)`, value: Number((max / 1000).toFixed(3)), unit: "s (max)", bar: `< ${BAR_SECONDS} s`, pass: max < BAR_SECONDS * 1000, dialect: "postgres", note },
  ];
}

export const failover: Benchmark = {
  name: "failover",
  async run(context) {
    if (context.postgresUrl === null) {
      context.log("skipped: PostgreSQL only (several daemons serve one instance only on PostgreSQL), and none is available");
      return [];
    }
    const namespaces: Namespaces = namespacesAvailable() ? "pid" : "none";
    const database = await createTempDatabase(context.postgresUrl);
    const project = makeBenchProject(join(context.tmpDir, "project"), "failover-defs.mjs", { BENCH_FAILOVER_SENSORS: String(SENSORS) });
    let instance: Instance | null = null;
    try {
      writeConfig(project, database.url);
      instance = await Instance.open(project.home);
      const daemons: Daemons = [];
      for (let i = 0; i < DAEMONS; i++) await startDaemon(project, namespaces, daemons);
      await waitUntilSpread(instance, daemons);
      context.log(`${DAEMONS} daemons hold the ${SENSORS} sensors (namespaces: ${namespaces})`);
      const samples: number[] = [];
      for (let k = 0; k < KILLS; k++) {
        samples.push(await killOnce(instance, project, namespaces, daemons));
        context.log(`kill ${k + 1}/${KILLS}: failover ${(samples.at(-1) ?? 0) / 1000} s`);
      }
      return results(samples, namespaces);
    } finally {
      await project.stopAll();
      await instance?.close();
      await database.drop();
    }
  },
};
