// SPEC §5: getEventRecords for the newest materialization of one asset key among 1,000,000 events
// (SQLite), median < 2 ms. The plan must be a seek on (asset_key, event_type, id).
import { AssetKey, EventType, type EventLogEntry } from "../../src/model/index.js";
import { openBenchSqlite } from "../storages.js";
import { median, timeMs, type Benchmark } from "../harness.js";

const TOTAL_EVENTS = 1_000_000;
const LOAD_BATCH = 100_000;
const ASSET_KEYS = 1_000;
/** One event in this many is a materialization; the rest are step and log events. */
const MATERIALIZATION_EVERY = 5;
const QUERIES = 5_000;
const BAR_MS = 2;

function entry(i: number): EventLogEntry {
  const base = { runId: `run-${Math.floor(i / 200)}`, jobName: "bench_job", timestamp: 1_700_000_000_000 + i, stepKey: "op", level: "INFO" as const };
  if (i % MATERIALIZATION_EVERY !== 0) return { ...base, message: `step event ${i}`, event: { eventType: i % 2 === 0 ? EventType.STEP_OUTPUT : EventType.LOG } };
  const path = ["warehouse", `table_${(i / MATERIALIZATION_EVERY) % ASSET_KEYS}`];
  return {
    ...base,
    message: `materialized ${path.join("/")}`,
    event: { eventType: EventType.ASSET_MATERIALIZATION, assetKey: new AssetKey(path), materialization: { assetKey: new AssetKey(path), description: null, metadata: { rows: i }, partition: null } },
  };
}

export const latestMaterialization: Benchmark = {
  name: "latest-materialization",
  async run(context) {
    const { storage, dispose } = await openBenchSqlite(context);
    try {
      const loadMs = await timeMs(async () => {
        // Big batches: each storeEvents call is one transaction of multi-row inserts.
        for (let start = 0; start < TOTAL_EVENTS; start += LOAD_BATCH) {
          await storage.storeEvents(Array.from({ length: LOAD_BATCH }, (_, j) => entry(start + j)));
        }
      });
      context.log(`loaded ${TOTAL_EVENTS} events in ${(loadMs / 1000).toFixed(1)} s`);
      const filter = (k: number) => ({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: `warehouse/table_${k}`, limit: 1 });
      const plan = await storage.explainEventRecords(filter(1));
      const usesIndex = plan.includes("event_logs_asset_key_event_type_id") && !/TEMP B-TREE/i.test(plan);
      for (let i = 0; i < 200; i++) await storage.getEventRecords(filter(i % ASSET_KEYS)); // warm the page cache
      const samples: number[] = [];
      for (let i = 0; i < QUERIES; i++) {
        const k = (i * 7919) % ASSET_KEYS;
        samples.push(
          await timeMs(async () => {
            const [record] = await storage.getEventRecords(filter(k));
            if (record === undefined) throw new Error(`no materialization of warehouse/table_${k}`);
          }),
        );
      }
      const value = median(samples);
      return [
        {
          figure: "getEventRecords newest materialization of one key among 1,000,000 events",
          value: Number(value.toFixed(4)),
          unit: "ms (median)",
          bar: `< ${BAR_MS} ms`,
          pass: value < BAR_MS && usesIndex,
          dialect: "sqlite",
          note: `${QUERIES} calls over ${ASSET_KEYS} keys; p99 ${samples.sort((a, b) => a - b)[Math.floor(QUERIES * 0.99)]?.toFixed(3)} ms; load ${(loadMs / 1000).toFixed(1)} s; plan: ${plan.replaceAll("\n", " | ")}`,
        },
      ];
    } finally {
      await dispose();
    }
  },
};
