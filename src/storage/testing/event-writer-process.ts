// A separate OS process that appends events to a test database, for the cross-process tests of
// storage-conformance. Run: node --import tsx --conditions=vigil-source event-writer-process.ts '<json>'
// It opens (and so migrates) the database, prints "ready", waits for a line on stdin, writes, then
// prints the storage ids it was given as one JSON line.
import { once } from "node:events";
import { createInterface } from "node:readline";
import { openPostgresStorage } from "../dialects/postgres.js";
import { openSqliteStorage } from "../dialects/sqlite.js";
import { logEntry, type StorageSpec } from "./fixtures.js";

/** What the parent asks a writer to do. */
export interface WriterJob {
  spec: StorageSpec;
  writer: string;
  /** Single-entry `storeEvents` calls. */
  singles: number;
  /** Multi-entry calls, spread among the singles. */
  batches: number;
  batchSize: number;
}

const job = JSON.parse(process.argv[2] ?? "{}") as WriterJob;
const storage =
  job.spec.dialect === "sqlite"
    ? await openSqliteStorage({ path: job.spec.path })
    : await openPostgresStorage({ url: job.spec.url, schema: job.spec.schema });
const input = createInterface({ input: process.stdin });
process.stdout.write("ready\n");
await once(input, "line");
input.close();

const ids: number[] = [];
const batchEvery = Math.max(1, Math.floor(job.singles / Math.max(1, job.batches)));
let batchesLeft = job.batches;
for (let i = 0; i < job.singles; i++) {
  const [record] = await storage.storeEvents([logEntry(job.writer, i, `${job.writer}:${i}`)]);
  if (record) ids.push(record.storageId);
  if (batchesLeft > 0 && i % batchEvery === 0) {
    batchesLeft--;
    const batch = Array.from({ length: job.batchSize }, (_, j) => logEntry(job.writer, i, `${job.writer}:${i}:${j}`));
    ids.push(...(await storage.storeEvents(batch)).map((r) => r.storageId));
  }
}
await storage.close();
process.stdout.write(`${JSON.stringify({ ids })}\n`);
