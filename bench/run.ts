// `npm run bench`: runs every benchmark in bench/benchmarks (or those named in BENCH_ONLY, a comma
// list), prints a table and merges the figures into bench/results.json. Timings live here, never
// in tests. PostgreSQL figures use DATABASE_URL, else a throwaway server, else they are skipped.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { canConnect } from "../test/support/postgres.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../test/support/throwaway-postgres.js";
import { BENCHMARKS } from "./benchmarks/index.js";
import { machine, type Result } from "./harness.js";

interface StoredResult extends Result {
  benchmark: string;
  date: string;
  machine: string;
  /** The 1-minute load average before and after the benchmark ran: figures are load-sensitive. */
  loadAverage: { before: number; after: number };
}

const resultsPath = fileURLToPath(new URL("./results.json", import.meta.url));
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
const selected = BENCHMARKS.filter((b) => only === undefined || only.some((o) => b.name.includes(o)));
if (selected.length === 0) {
  process.stderr.write(`BENCH_ONLY=${process.env.BENCH_ONLY ?? ""} matches no benchmark; choose from: ${BENCHMARKS.map((b) => b.name).join(", ")}.\n`);
  process.exit(2);
}

async function postgres(): Promise<{ url: string | null; server: ThrowawayPostgres | null }> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv !== undefined) return { url: (await canConnect(fromEnv)) ? fromEnv : null, server: null };
  try {
    const server = await startThrowawayPostgres();
    return { url: server.url, server };
  } catch {
    return { url: null, server: null };
  }
}

const pg = await postgres();
if (pg.url === null) process.stderr.write("PostgreSQL is not available (set DATABASE_URL): PostgreSQL figures are skipped.\n");
const date = new Date().toISOString();
const host = machine();
const fresh: StoredResult[] = [];
try {
  for (const benchmark of selected) {
    const tmpDir = mkdtempSync(join(tmpdir(), `vigil-bench-${benchmark.name}-`));
    try {
      process.stderr.write(`running ${benchmark.name}…\n`);
      const before = Number((loadavg()[0] ?? 0).toFixed(2));
      const results = await benchmark.run({ postgresUrl: pg.url, tmpDir, log: (m) => process.stderr.write(`  ${benchmark.name}: ${m}\n`) });
      const loadAverage = { before, after: Number((loadavg()[0] ?? 0).toFixed(2)) };
      fresh.push(...results.map((r) => ({ benchmark: benchmark.name, ...r, date, machine: host, loadAverage })));
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  }
} finally {
  await pg.server?.stop();
}

// Keep figures of benchmarks not run this time; replace those that were.
const previous = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, "utf8")) as { results?: StoredResult[] }).results ?? [] : [];
const ran = new Set(selected.map((b) => b.name));
const merged = [...previous.filter((r) => !ran.has(r.benchmark)), ...fresh];
writeFileSync(resultsPath, `${JSON.stringify({ results: merged }, null, 2)}\n`);

const rows = fresh.map((r) => [r.figure, r.dialect ?? "-", `${r.value} ${r.unit}`, r.bar ?? "-", r.pass === null ? "-" : r.pass ? "PASS" : "FAIL", `${r.loadAverage.before} → ${r.loadAverage.after}`]);
const header = ["figure", "dialect", "value", "bar", "result", "load avg"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
process.stdout.write(`${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${rows.map(line).join("\n")}\n`);
process.stdout.write(`\nwritten to ${resultsPath}\n`);
if (fresh.some((r) => r.pass === false)) process.exitCode = 1;
