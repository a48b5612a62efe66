// Three `vigil daemon` processes on one PostgreSQL with 300 running sensors, one of them killed
// with SIGKILL (and replaced) every few seconds for a minute. Each daemon runs in its own PID
// namespace where the machine allows it, so no daemon can see another's pid: only heartbeats and
// leases in storage decide. Invariants are checked in storage afterwards.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { Instance } from "../../src/instance/index.js";
import { RunTag, type Run } from "../../src/model/index.js";
import { eventually, makeProject, type Project } from "../cli/support.js";
import { createTempDatabase } from "../support/postgres.js";
import { kill9, namespacesAvailable, startVigil, type VigilProcess } from "../support/vigil-process.js";

const SENSORS = 300;
const INTERVAL_SECONDS = 2;
const LEASE_SECONDS = 4;
const CHAOS_MS = 60_000;
// Longer than one failover (2 × lease + interval): a sensor moved to a daemon is ticked before that daemon can be the next victim.
const KILL_EVERY_MS = 10_000;

/** Sensor i counts its ticks in its cursor; every 10th tick requests a keyed run and a key-less one tagged with the count. */
const DEFS = `import { DefaultSensorStatus, Definitions, RunRequest, SkipReason, job, op, sensor } from "vigil";
const noop = op({ name: "noop" }, () => 1);
export const noopJob = job({ name: "noop_job" }, () => { noop(); });
const sensors = Array.from({ length: ${SENSORS} }, (_, i) =>
  sensor({ name: "s" + i, job: noopJob, minimumIntervalSeconds: ${INTERVAL_SECONDS}, defaultStatus: DefaultSensorStatus.RUNNING }, (context) => {
    const n = Number(context.cursor ?? 0);
    context.updateCursor(String(n + 1));
    if (n % 10 !== 0) return new SkipReason("n=" + n);
    return [new RunRequest({ runKey: "s" + i + ":" + n }), new RunRequest({ tags: { n: String(n) } })];
  }),
);
export default new Definitions({ jobs: [noopJob], sensors });
`;

const postgresUrl = inject("postgresUrl");

describe.skipIf(postgresUrl === null)("three daemons on one PostgreSQL, killed in a loop", () => {
  let project: Project;
  let database: Awaited<ReturnType<typeof createTempDatabase>>;
  const daemons: VigilProcess[] = [];
  const everyDaemon: VigilProcess[] = [];
  const namespaces = namespacesAvailable() ? "pid" : "none";

  function startDaemon(): VigilProcess {
    const p = startVigil(["daemon", "-f", "defs.ts"], { cwd: project.dir, env: project.env, namespaces });
    daemons.push(p);
    everyDaemon.push(p);
    return p;
  }

  beforeAll(async () => {
    if (namespaces === "none") process.stderr.write("\n*** unshare --pid refused: the daemons share one PID namespace (the pid fast path may find dead ones). ***\n\n");
    database = await createTempDatabase(postgresUrl ?? "");
    project = makeProject({ "defs.ts": DEFS });
    project.write(
      ".vigil/vigil.yaml",
      [
        `storage: { postgres: { url: "${database.url}" } }`,
        "runLauncher: in-process",
        `daemon: { leaseSeconds: ${LEASE_SECONDS} }`,
        "sensors: { workers: 2 }",
        "runMonitoring: { heartbeatTimeoutSeconds: 5 }",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    for (const p of everyDaemon) {
      if (p.child.exitCode === null && p.child.signalCode === null) kill9(p.pid() || (p.child.pid ?? 0));
      await p.exited;
    }
    project?.remove();
    await database?.drop();
  });

  it("keeps every sensor owned by one live daemon, every request launched once, no dead owner's tick open, no sensor unticked for long", { timeout: 300_000 }, async () => {
    for (let i = 0; i < 3; i++) startDaemon();
    for (const d of daemons) await eventually(async () => (d.output().includes("Vigil daemon running") ? true : undefined), `a daemon to start (${d.output()})`, 90_000);
    await using instance = await Instance.open(project.home);
    await eventually(async () => ((await instance.storage.getLeases()).filter((l) => l.owner !== null && l.kind === "sensor").length === SENSORS ? true : undefined), "all sensors to be leased", 60_000);

    const chaosStart = Date.now();
    const killedAt: string[] = [];
    let kills = 0;
    while (Date.now() - chaosStart < CHAOS_MS) {
      await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
      const victim = daemons.shift();
      if (victim === undefined) break;
      kill9(victim.pid());
      killedAt.push(`${new Date().toISOString()} ${victim.output().match(/Daemon (\S+) registered/)?.[1] ?? "?"}`);
      await victim.exited;
      kills++;
      startDaemon();
    }
    const chaosEnd = Date.now();
    // Settle: replacements join, leases of the killed lapse, their sensors' dangling ticks are closed.
    await new Promise((r) => setTimeout(r, 3 * LEASE_SECONDS * 1000));
    expect(kills).toBeGreaterThanOrEqual(5);

    // Every sensor is owned by exactly one live daemon.
    const { now, processes } = await instance.storage.getProcesses({ kinds: ["daemon"], aliveOnly: true });
    const live = new Set(processes.map((p) => p.id));
    expect(live.size).toBe(3);
    const leases = (await instance.storage.getLeases()).filter((l) => l.kind === "sensor");
    expect(leases).toHaveLength(SENSORS);
    for (const lease of leases) {
      expect(lease.owner !== null && live.has(lease.owner), `owner of ${lease.name}: ${String(lease.owner)}`).toBe(true);
      expect(lease.expiresAt ?? 0).toBeGreaterThan(now);
    }
    const perDaemon = [...live].map((id) => leases.filter((l) => l.owner === id).length).sort((a, b) => a - b);
    expect((perDaemon.at(-1) ?? 0) - (perDaemon[0] ?? 0)).toBeLessThanOrEqual(1);

    // No tick left STARTED by a dead owner.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const open = await client.query<{ owner: string | null; sensor_name: string }>("select owner, sensor_name from ticks where status = 'STARTED'");
      for (const row of open.rows) {
        if (row.owner !== null && live.has(row.owner)) continue;
        const recent = await client.query("select id, status, owner, lease_token, timestamp, end_timestamp from ticks where sensor_name = $1 order by id desc limit 6", [row.sensor_name]);
        const lease = (await instance.storage.getLeases()).find((l) => l.name === row.sensor_name);
        const holder = everyDaemon.find((d) => lease?.owner !== null && d.output().includes(`Daemon ${lease?.owner ?? "?"} registered`));
        expect.fail(`STARTED tick of ${row.sensor_name} owned by dead ${String(row.owner)} at ${new Date().toISOString()}; lease ${JSON.stringify(lease)}; ticks ${JSON.stringify(recent.rows)}; kills ${killedAt.join(", ")}; holder output tail: ${holder?.output().split("\n").filter((l) => l.includes(row.sensor_name + '"') || l.includes("lease")).slice(-15).join(" | ")}`);
      }
    } finally {
      await client.end();
    }

    // At most one run per run key, and every request the sensors made has its run (keyed and key-less).
    const runs: Run[] = await instance.getRuns();
    const byKey = new Map<string, number>();
    const keyless = new Map<string, number>();
    for (const run of runs) {
      const sensorName = run.tags[RunTag.SENSOR_NAME] ?? "";
      const key = run.tags[RunTag.RUN_KEY];
      if (key !== undefined) byKey.set(key, (byKey.get(key) ?? 0) + 1);
      else keyless.set(`${sensorName}:${run.tags.n ?? "?"}`, (keyless.get(`${sensorName}:${run.tags.n ?? "?"}`) ?? 0) + 1);
    }
    for (const [key, count] of byKey) expect(count, `runs with key ${key}`).toBe(1);
    for (const [key, count] of keyless) expect(count, `key-less runs of ${key}`).toBe(1);
    let requests = 0;
    for (let i = 0; i < SENSORS; i++) {
      const cursor = Number((await instance.getSensorState(`s${i}`))?.cursor ?? 0);
      for (let n = 0; n < cursor; n += 10) {
        requests++;
        expect(byKey.get(`s${i}:${n}`), `the run for key s${i}:${n}`).toBe(1);
        expect(keyless.get(`s${i}:${n}`), `the key-less run of s${i} at ${n}`).toBe(1);
      }
    }
    expect(requests).toBeGreaterThan(SENSORS);

    // No sensor went unticked for longer than 2 x leaseSeconds plus its interval.
    const bound = 2 * LEASE_SECONDS * 1000 + INTERVAL_SECONDS * 1000;
    let worst = { gap: 0, sensor: "", at: 0 };
    for (let i = 0; i < SENSORS; i++) {
      const ticks = (await instance.getTicks(`s${i}`)).map((t) => t.timestamp).filter((t) => t >= chaosStart - 5_000 && t <= chaosEnd + 5_000).sort((a, b) => a - b);
      for (let j = 1; j < ticks.length; j++) {
        const gap = (ticks[j] ?? 0) - (ticks[j - 1] ?? 0);
        if (gap > worst.gap) worst = { gap, sensor: `s${i}`, at: ticks[j - 1] ?? 0 };
      }
    }
    const around = (await instance.getTicks(worst.sensor)).filter((t) => Math.abs(t.timestamp - worst.at) < 20_000).map((t) => `${new Date(t.timestamp).toISOString()} ${t.status}`);
    expect(worst.gap, `longest gap between two ticks (sensor ${worst.sensor} after ${new Date(worst.at).toISOString()}; ticks ${around.join(", ")}; kills ${killedAt.join(", ")})`).toBeLessThanOrEqual(bound);
  });
});
