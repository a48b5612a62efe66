// A separate OS process that claims queued runs of a test database under concurrency limits and
// finishes each after a moment, for the cross-process claim test of storage-conformance.
// Run: node --import tsx --conditions=vigil-source claimer-process.ts '<json>'
// It opens the database, prints "ready", waits for a line on stdin, then claims until no run is
// queued, and prints the run ids it claimed as one JSON line.
import { once } from "node:events";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { openPostgresStorage } from "../dialects/postgres.js";
import { openSqliteStorage } from "../dialects/sqlite.js";
import { statusEntry, type StorageSpec } from "./fixtures.js";
import type { RunClaim } from "../storage.js";

/** What the parent asks a claimer to do. */
export interface ClaimerJob {
  spec: StorageSpec;
  claim: RunClaim;
}

const job = JSON.parse(process.argv[2] ?? "{}") as ClaimerJob;
const storage =
  job.spec.dialect === "sqlite" ? await openSqliteStorage({ path: job.spec.path }) : await openPostgresStorage({ url: job.spec.url, schema: job.spec.schema });
const input = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
await once(input, "line");
input.close();

const claimed: string[] = [];
const running = new Set<Promise<void>>();
for (;;) {
  const runs = await storage.claimQueuedRuns(job.claim);
  claimed.push(...runs.map((r) => r.runId));
  for (const run of runs) {
    const done = (async () => {
      await sleep(5 + Math.random() * 20);
      await storage.storeEvents([statusEntry(run.runId, "STARTED", Date.now()), statusEntry(run.runId, "SUCCESS", Date.now())]);
    })();
    running.add(done);
    void done.finally(() => running.delete(done));
  }
  if (runs.length === 0) {
    if ((await storage.countRuns({ statuses: ["QUEUED"] })) === 0) break;
    await sleep(2);
  }
}
await Promise.all(running);
await storage.close();
process.stdout.write(`${JSON.stringify({ claimed })}\n`);
