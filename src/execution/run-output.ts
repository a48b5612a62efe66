import { AsyncLocalStorage } from "node:async_hooks";
import type { Storage } from "../storage/storage.js";

/** One piece of what a run printed. */
export interface RunLogChunk {
  stream: "stdout" | "stderr";
  /** ms since epoch, when it was written. */
  timestamp: number;
  text: string;
}

/** How much of a run's output is stored at most; past it, one line says what was dropped. */
export const RUN_LOG_LIMIT_BYTES = 10 * 1024 * 1024;
const FLUSH_EVERY_MS = 500;
const FLUSH_AT_BYTES = 64 * 1024;

const current = new AsyncLocalStorage<RunOutputCapture>();
let installed = false;

/**
 * Patches `process.stdout.write` and `process.stderr.write` once per process: what code running
 * inside a captured run writes (its ops' `console.log` too) is also handed to that run's capture.
 * Output outside any run passes through untouched. `AsyncLocalStorage` tells runs apart, so a
 * worker executing several runs at once stores each run's own output.
 */
function install(): void {
  if (installed) return;
  installed = true;
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      current.getStore()?.add(name, chunk);
      return original(chunk, ...rest);
    }) as typeof stream.write;
  }
}

/**
 * @internal What one run printed, stored in batches (every half second, or 64 kB) so its output
 * reaches `vigil run logs` and the run page wherever it executed.
 */
class RunOutputCapture {
  readonly #storage: Storage;
  readonly #runId: string;
  #pending: RunLogChunk[] = [];
  #pendingBytes = 0;
  #storedBytes = 0;
  #dropped = 0;
  #writing: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(storage: Storage, runId: string) {
    this.#storage = storage;
    this.#runId = runId;
    this.#timer = setInterval(() => this.#flush(), FLUSH_EVERY_MS);
    this.#timer.unref();
  }

  add(stream: "stdout" | "stderr", chunk: unknown): void {
    const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : String(chunk);
    if (this.#storedBytes + this.#pendingBytes + text.length > RUN_LOG_LIMIT_BYTES) {
      this.#dropped += text.length;
      return;
    }
    this.#pending.push({ stream, timestamp: Date.now(), text });
    this.#pendingBytes += text.length;
    if (this.#pendingBytes >= FLUSH_AT_BYTES) this.#flush();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#storedBytes += this.#pendingBytes;
    this.#pendingBytes = 0;
    // In order, one batch after the other; a failed write loses that batch only.
    this.#writing = this.#writing.then(() => this.#storage.appendRunLogs(this.#runId, batch).catch(() => undefined));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#dropped > 0) this.#pending.push({ stream: "stderr", timestamp: Date.now(), text: `[vigil] ${this.#dropped} more bytes of output were not stored (a run keeps ${RUN_LOG_LIMIT_BYTES} bytes).\n` });
    this.#flush();
    await this.#writing;
  }
}

/**
 * @internal Runs `fn` with what it prints (stdout, stderr) stored as the logs of run `runId`, and
 * still printed as usual. Resolves once everything it printed is stored.
 */
export async function captureRunOutput<T>(storage: Storage, runId: string, fn: () => Promise<T>): Promise<T> {
  install();
  const capture = new RunOutputCapture(storage, runId);
  try {
    return await current.run(capture, fn);
  } finally {
    await capture.close();
  }
}
