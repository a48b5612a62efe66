// Event log append rate: one entry per storeEvents call (what a running op does), and 100 per call.
import { EventType, type EventLogEntry } from "../../src/model/index.js";
import { benchStorages } from "../storages.js";
import { join } from "node:path";
import { openSqliteStorage } from "../../src/storage/dialects/sqlite.js";
import { timeMs, type BenchContext, type Benchmark, type Result } from "../harness.js";

const SINGLE_CALLS = 3_000;
const BATCH_CALLS = 300;
const BATCH_SIZE = 100;

function entry(i: number): EventLogEntry {
  return { runId: `run-${i % 50}`, jobName: "bench_job", timestamp: Date.now(), stepKey: "op", level: "INFO", message: `event ${i}`, event: { eventType: EventType.LOG } };
}

/** The same single-entry rate on SQLite with `synchronous = NORMAL`: what the default FULL costs. */
async function sqliteNormal(context: BenchContext): Promise<Result> {
  const storage = await openSqliteStorage({ path: join(context.tmpDir, "normal.db"), synchronous: "NORMAL" });
  try {
    for (let i = 0; i < 50; i++) await storage.storeEvents([entry(i)]);
    const ms = await timeMs(async () => {
      for (let i = 0; i < SINGLE_CALLS; i++) await storage.storeEvents([entry(i)]);
    });
    return {
      figure: "event log insert rate, 1 entry per call, synchronous = NORMAL",
      value: Math.round(SINGLE_CALLS / (ms / 1000)),
      unit: "events/s",
      bar: null,
      pass: null,
      dialect: "sqlite",
      note: `${SINGLE_CALLS} sequential calls; the default is synchronous = FULL (every commit synced), the row above`,
    };
  } finally {
    await storage.close();
  }
}

export const eventInsert: Benchmark = {
  name: "event-insert",
  async run(context) {
    const results: Result[] = [];
    results.push(await sqliteNormal(context));
    for await (const { dialect, storage, dispose } of benchStorages(context)) {
      try {
        // Warm up connections and statement caches.
        for (let i = 0; i < 50; i++) await storage.storeEvents([entry(i)]);
        const single = await timeMs(async () => {
          for (let i = 0; i < SINGLE_CALLS; i++) await storage.storeEvents([entry(i)]);
        });
        const batched = await timeMs(async () => {
          for (let c = 0; c < BATCH_CALLS; c++) await storage.storeEvents(Array.from({ length: BATCH_SIZE }, (_, j) => entry(c * BATCH_SIZE + j)));
        });
        results.push(
          { figure: "event log insert rate, 1 entry per call", value: Math.round(SINGLE_CALLS / (single / 1000)), unit: "events/s", bar: null, pass: null, dialect, note: `${SINGLE_CALLS} sequential calls` },
          { figure: `event log insert rate, ${BATCH_SIZE} entries per call`, value: Math.round((BATCH_CALLS * BATCH_SIZE) / (batched / 1000)), unit: "events/s", bar: null, pass: null, dialect, note: `${BATCH_CALLS} sequential calls` },
        );
        context.log(`${dialect}: single ${single.toFixed(0)} ms, batched ${batched.toFixed(0)} ms`);
      } finally {
        await dispose();
      }
    }
    return results;
  },
};
