// PostgreSQL single-event append throughput with 1, 4 and 16 concurrent writers (each its own
// storage, as separate processes would have): every append takes the schema's event-append lock
// until its commit, so this shows how far concurrent writers scale behind it.
import { openPostgresStorage } from "../../src/storage/dialects/postgres.js";
import { EventType } from "../../src/model/index.js";
import { createTempDatabase } from "../../test/support/postgres.js";
import { timeMs, type Benchmark, type Result } from "../harness.js";

const APPENDS_PER_WRITER = 400;

async function throughput(url: string, writers: number): Promise<number> {
  const storages = await Promise.all(Array.from({ length: writers }, () => openPostgresStorage({ url, poolSize: 1 })));
  try {
    for (const s of storages) await s.storeEvents([{ runId: "warm", jobName: "bench_job", timestamp: Date.now(), level: "INFO", message: "warm", event: { eventType: EventType.LOG } }]);
    const ms = await timeMs(() =>
      Promise.all(
        storages.map(async (storage, w) => {
          for (let i = 0; i < APPENDS_PER_WRITER; i++) {
            await storage.storeEvents([{ runId: `run-${w}`, jobName: "bench_job", timestamp: Date.now(), level: "INFO", message: `event ${i}`, event: { eventType: EventType.LOG } }]);
          }
        }),
      ),
    );
    return Math.round((writers * APPENDS_PER_WRITER) / (ms / 1000));
  } finally {
    await Promise.all(storages.map((s) => s.close()));
  }
}

export const eventAppendWriters: Benchmark = {
  name: "event-append-writers",
  async run(context) {
    if (context.postgresUrl === null) return [];
    const database = await createTempDatabase(context.postgresUrl);
    try {
      const results: Result[] = [];
      for (const writers of [1, 4, 16]) {
        const rate = await throughput(database.url, writers);
        context.log(`${writers} writer(s): ${rate} events/s`);
        results.push({
          figure: `event log single-entry append rate, ${writers} concurrent writer${writers === 1 ? "" : "s"}`,
          value: rate,
          unit: "events/s",
          bar: null,
          pass: null,
          dialect: "postgres",
          note: `${APPENDS_PER_WRITER} sequential storeEvents([one entry]) per writer, each writer on its own connection; the append lock is per schema`,
        });
      }
      return results;
    } finally {
      await database.drop();
    }
  },
};
