// SPEC §5 daemon figures on SQLite, measured through `Daemon.runIteration()` on a ManualClock:
// tick overhead of a trivial sensor (median < 2 ms), one tick whose 100,000 run keys all exist
// (< 2 s; the 25× target against the reference is < 448 ms) and one tick of 10,000 new run requests stored and queued (< 5 s). Runs are left QUEUED
// (`launchRuns: false`): launching belongs to the coordinator's figures.
import { ManualClock } from "../../src/daemon/clock.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { Definitions } from "../../src/definitions/definitions.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { sensor } from "../../src/definitions/sensor.js";
import { SkipReason } from "../../src/definitions/skip-reason.js";
import { Instance } from "../../src/instance/index.js";
import { TICK_LIST_CAP } from "../../src/model/index.js";
import type { SqlStorage } from "../../src/storage/sql-storage.js";
import { median, timeMs, type Benchmark, type Result } from "../harness.js";
import { openBenchInstance } from "../storages.js";

const noop = op({ name: "noop" }, () => 1);
const noopJob = job({ name: "noop_job" }, () => {
  noop();
});
const RUNNING = DefaultSensorStatus.RUNNING;

async function withDaemon<T>(sensors: Definitions["sensors"], fn: (daemon: Daemon, clock: ManualClock, instance: Instance) => Promise<T>, synchronous: "NORMAL" | null = null): Promise<T> {
  const { instance, remove } = await openBenchInstance(synchronous);
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  const daemon = new Daemon({ instance, definitions: new Definitions({ jobs: [noopJob], sensors }), clock, launchRuns: false, log: () => undefined });
  try {
    return await fn(daemon, clock, instance);
  } finally {
    await daemon.close();
    await instance.close();
    remove();
  }
}

// The reference system on this same machine (issue 4, item 9): ~28 ms per trivial tick, ~112 ms to
// dedupe 1,000 existing keys, ~60 s to create 1,000 runs. Vigil must beat each by at least 25×.
function versusReference(value: number, target: number, unit: string, reference: string): string {
  return `reference ${reference}; 25× target < ${Number(target.toFixed(3))} ${unit}: ${value < target ? "met" : "NOT met"}`;
}

function result(figure: string, value: number, unit: string, bar: number, note: string): Result {
  return { figure, value: Number(value.toFixed(3)), unit, bar: `< ${bar} ${unit.split(" ")[0]}`, pass: value < bar, dialect: "sqlite", note };
}

async function tickOverhead(synchronous: "NORMAL" | null): Promise<Result> {
  const trivial = sensor({ name: "trivial", job: noopJob, minimumIntervalSeconds: 1, defaultStatus: RUNNING }, () => new SkipReason("nothing"));
  return withDaemon([trivial], async (daemon, clock) => {
    const samples: number[] = [];
    for (let i = 0; i < 1_200; i++) {
      clock.advance(1_000);
      const ms = await timeMs(() => daemon.runIteration());
      if (i >= 200) samples.push(ms);
    }
    const figure = synchronous === null ? "daemon overhead per tick, trivial sensor" : "daemon overhead per tick, trivial sensor, SQLite synchronous NORMAL";
    const durability = synchronous === null ? "SQLite synchronous FULL (the default: the log is synced at every commit)" : "SQLite synchronous NORMAL (commits not synced: the durability of earlier releases)";
    return result(figure, median(samples), "ms (median)", 2, `runIteration() of one due sensor that skips; 1,000 ticks after 200 warm-up; ${durability}; ${versusReference(median(samples), 1.12, "ms", "~28 ms per trivial tick")}`);
  }, synchronous);
}

/** The stored body of the latest big tick, and what it would be with every key listed (before the cap). */
let bodyBytes = { stored: 0, uncapped: 0 };

function uncappedBodyBytes(keys: readonly string[]): number {
  const list = JSON.stringify(keys);
  return `{"runIds":[],"runKeys":${list},"dedupedRunKeys":${list},"skipReason":"Every requested run key was already used by this sensor (100000 keys, listed in dedupedRunKeys); no run was created.","error":null,"cursorBefore":null,"cursor":null}`.length;
}

async function manyKeys(count: number, existing: boolean): Promise<Result> {
  const keys = Array.from({ length: count }, (_, i) => `key-${i}`);
  const big = sensor({ name: "big", job: noopJob, minimumIntervalSeconds: 1, defaultStatus: RUNNING }, () => keys.map((runKey) => new RunRequest({ runKey })));
  return withDaemon([big], async (daemon, clock, instance) => {
    if (existing) {
      await daemon.runIteration(); // creates the runs once
      clock.advance(1_000);
    }
    const ms = await timeMs(() => daemon.runIteration());
    const [tick] = await instance.getTicks("big", { limit: 1 });
    const created = tick?.totals?.runIds ?? tick?.runIds.length ?? 0;
    const deduped = tick?.totals?.dedupedRunKeys ?? tick?.dedupedRunKeys.length ?? 0;
    if (existing) bodyBytes = { stored: Number((await (instance.storage as SqlStorage).inspect(`select length(body) as n from ticks where id = ${tick?.id ?? 0}`))?.n ?? 0), uncapped: uncappedBodyBytes(keys) };
    if (existing ? deduped !== count : created !== count) throw new Error(`unexpected tick: ${created} created, ${deduped} deduped`);
    return existing
      ? result(`one tick yielding ${count.toLocaleString("en")} RunRequests whose run keys all exist`, ms / 1000, "s", 2, `${deduped} keys deduped; tick ${tick?.status}; ${versusReference(ms / 1000, (count / 1000) * 0.00448, "s", "~112 ms per 1,000 existing keys")}`)
      : result(`one tick yielding ${count.toLocaleString("en")} new RunRequests, all stored and queued`, ms / 1000, "s", 5, `${created} runs QUEUED with tags and RUN_ENQUEUED events; ${versusReference(ms / 1000, (count / 1000) * 2.4, "s", "~60 s per 1,000 runs created")}`);
  });
}

export const daemonTick: Benchmark = {
  name: "daemon-tick",
  async run(context) {
    const out: Result[] = [];
    out.push(await tickOverhead(null));
    context.log(`tick overhead ${out.at(-1)?.value} ms`);
    out.push(await tickOverhead("NORMAL"));
    context.log(`tick overhead, synchronous NORMAL ${out.at(-1)?.value} ms`);
    out.push(await manyKeys(10_000, false));
    context.log(`10,000 new runs ${out.at(-1)?.value} s`);
    out.push(await manyKeys(100_000, true));
    context.log(`100,000 existing keys ${out.at(-1)?.value} s`);
    out.push({
      figure: "stored tick body, one tick of 100,000 deduplicated run keys",
      value: bodyBytes.stored,
      unit: "bytes",
      bar: null,
      pass: null,
      dialect: "sqlite",
      note: `lists capped at ${TICK_LIST_CAP} entries with full counts in totals; every key listed (before the cap) it would be ${bodyBytes.uncapped.toLocaleString("en")} bytes`,
    });
    return out;
  },
};
