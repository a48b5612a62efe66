// SPEC §5 daemon figures on the real clock (SQLite): 1,000 running sensors at a 1 s interval on one
// daemon (per-sensor max gap between ticks, CPU, RSS); materialization → asset-sensor run queued
// with the daemon's event wakeup (p50). (Queued → started: subprocess-start.ts.)
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Daemon } from "../../src/daemon/daemon.js";
import { assetSensor } from "../../src/definitions/asset-sensor.js";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { Definitions } from "../../src/definitions/definitions.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { sensor } from "../../src/definitions/sensor.js";
import { SkipReason } from "../../src/definitions/skip-reason.js";
import { Instance } from "../../src/instance/index.js";
import { AssetKey, AssetMaterialization, EventType, RunStatus, RunTag } from "../../src/model/index.js";
import { median, type Benchmark, type Result } from "../harness.js";
import { openBenchInstance } from "../storages.js";

const RUNNING = DefaultSensorStatus.RUNNING;
const noop = op({ name: "noop" }, () => 1);
const noopJob = job({ name: "noop_job" }, () => {
  noop();
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function row(figure: string, value: number, unit: string, bar: string, pass: boolean, note: string): Result {
  return { figure, value: Number(value.toFixed(3)), unit, bar, pass, dialect: "sqlite", note };
}

/** 1,000 sensors at 1 s for ~15 s: the largest gap between two ticks of any sensor, CPU and RSS. */
async function thousandSensors(synchronous: "NORMAL" | null): Promise<Result[]> {
  const sensors = Array.from({ length: 1_000 }, (_, i) =>
    sensor({ name: `s${i}`, job: noopJob, minimumIntervalSeconds: 1, defaultStatus: RUNNING }, () => new SkipReason("nothing")),
  );
  const { instance, remove } = await openBenchInstance(synchronous);
  const daemon = new Daemon({ instance, definitions: new Definitions({ jobs: [noopJob], sensors }), loopIntervalMs: 250, log: () => undefined });
  let rss = 0;
  try {
    daemon.start();
    await sleep(3_000); // warm-up: first ticks, state rows
    const from = Date.now();
    const cpu = process.cpuUsage();
    const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 250);
    await sleep(15_000);
    const used = process.cpuUsage(cpu);
    const to = Date.now();
    clearInterval(sampler);
    await daemon.close();
    let maxGap = 0;
    for (const s of sensors) {
      const times = (await instance.getTicks(s.name, { limit: 100 })).map((t) => t.timestamp).filter((t) => t >= from - 2_000 && t <= to);
      times.push(to);
      times.sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) maxGap = Math.max(maxGap, (times[i] ?? 0) - (times[i - 1] ?? 0));
    }
    const cores = (used.user + used.system) / 1000 / (to - from);
    const durability = synchronous === null ? "SQLite synchronous FULL (the default)" : "SQLite synchronous NORMAL (commits not synced: the durability of earlier releases)";
    const note = `definitions object, real clock, loopIntervalMs 250; 15 s measured after 3 s warm-up; CPU and RSS of the daemon's process; ${durability}`;
    const prefix = `1,000 running sensors at 1 s interval${synchronous === null ? "" : `, synchronous ${synchronous}`}`;
    return [
      row(`${prefix}: max gap between two ticks of one sensor`, maxGap / 1000, "s", "<= 2 s", maxGap <= 2_000, note),
      row(`${prefix}: daemon CPU`, cores, "cores", "< 1 core", cores < 1, note),
      // RSS only of the first daemon in this process: a later one would count what the first left.
      ...(synchronous === null ? [row(`${prefix}: daemon RSS (max)`, rss / 2 ** 20, "MB", "< 250 MB", rss < 250 * 2 ** 20, note)] : []),
    ];
  } finally {
    await daemon.close();
    await instance.close();
    remove();
  }
}

/** Materialization stored → the asset sensor's run QUEUED, with `start()`'s event wakeup. */
async function assetLatency(): Promise<Result> {
  const materialize = op({ name: "materialize" }, (context) => {
    context.logEvent(new AssetMaterialization({ assetKey: "table" }));
  });
  const materializeJob = job({ name: "materialize_job" }, () => {
    materialize();
  });
  const onTable = assetSensor({ name: "on_table", assetKey: "table", job: noopJob, minimumIntervalSeconds: 1, defaultStatus: RUNNING }, (context) =>
    new RunRequest({ runKey: context.cursor ?? "none" }),
  );
  const instance = await Instance.ephemeral();
  const daemon = new Daemon({ instance, definitions: new Definitions({ jobs: [noopJob, materializeJob], sensors: [onTable] }), loopIntervalMs: 60_000, launchRuns: false, log: () => undefined });
  try {
    daemon.start();
    await sleep(1_500);
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) {
      await sleep(1_100); // past the minimum interval
      // A lone materialization: its run exists already, and no other event of it is stored with or
      // just before it (a job execution's run-start and step events would wake nobody, but add work).
      const runId = `materializer-${i}`;
      await instance.storage.addRun({ runId, jobName: materializeJob.name, status: RunStatus.NOT_STARTED, tags: {}, runConfig: {}, createdAt: Date.now() });
      await sleep(50);
      await instance.storage.storeEvents([
        { runId, jobName: materializeJob.name, level: "INFO", message: "", timestamp: Date.now(), event: { eventType: EventType.ASSET_MATERIALIZATION, assetKey: new AssetKey(["table"]) } },
      ]);
      const [record] = await instance.getEventRecords({ eventType: "ASSET_MATERIALIZATION", limit: 1 });
      const key = String(record?.storageId);
      for (let w = 0; w < 500; w++) {
        const [run] = await instance.getRuns({ tags: { [RunTag.SENSOR_NAME]: "on_table", [RunTag.RUN_KEY]: key } });
        if (run !== undefined) {
          samples.push(run.createdAt - (record?.entry.timestamp ?? 0));
          break;
        }
        await sleep(5);
      }
    }
    const p50 = median(samples);
    return row("asset materialized → asset-sensor run queued (event-driven wakeup)", p50, "ms (p50)", "< 100 ms", p50 < 100, `${samples.length} lone materializations (storeEvents of one event); daemon start() with targeted wakeups (SQLite: storage-id poll every 100 ms), loopIntervalMs 60 s`);
  } finally {
    await daemon.close();
    await instance.close();
  }
}

export const daemonScale: Benchmark = {
  name: "daemon-scale",
  async run(context) {
    const out: Result[] = [];
    for (const synchronous of [null, "NORMAL"] as const) {
      const rows = await thousandSensors(synchronous);
      out.push(...rows);
      context.log(`1,000 sensors (synchronous ${synchronous ?? "FULL"}): ${rows.map((r) => `${r.value} ${r.unit}`).join(", ")}`);
    }
    out.push(await assetLatency());
    context.log(`asset latency ${out.at(-1)?.value} ms`);
    return out;
  },
};
