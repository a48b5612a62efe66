// The benchmark harness's shared types and helpers. A benchmark is a module in bench/benchmarks/
// exporting a `Benchmark`; bench/run.ts runs them and writes bench/results.json.
import { cpus, totalmem } from "node:os";
import type { SqlStorage } from "../src/storage/sql-storage.js";

/** One measured figure. */
export interface Result {
  /** What was measured, e.g. "event log insert rate, single entry". */
  figure: string;
  value: number;
  unit: string;
  /** The bar from SPEC §5 as text (e.g. "< 2 ms"), or null when the figure has none. */
  bar: string | null;
  /** Whether the bar was met; null when there is no bar. */
  pass: boolean | null;
  dialect: "sqlite" | "postgres" | null;
  /** Anything a reader needs to interpret the figure (sizes, plan used, why skipped). */
  note?: string;
}

/** What every benchmark gets from the runner. */
export interface BenchContext {
  /** A PostgreSQL server URL, or null when none is available (benchmarks then skip PG figures). */
  postgresUrl: string | null;
  /** A fresh temp folder for this benchmark, removed afterwards. */
  tmpDir: string;
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  run(context: BenchContext): Promise<Result[]>;
}

/** A fresh storage per dialect, closed and removed by `dispose`. */
export interface BenchStorage {
  dialect: "sqlite" | "postgres";
  storage: SqlStorage;
  dispose(): Promise<void>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds elapsed while `fn` runs. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A short description of this machine, stored with the results. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? "unknown CPU"} x${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}
