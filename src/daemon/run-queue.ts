import { toError } from "../errors/index.js";
import type { DaemonLogger } from "./run-tick.js";

/**
 * @internal
 * The daemon's run claiming, as its own loop beside the ticks: a pass (`dequeue`: claim what fits
 * the limits, launch it) runs whenever the loop is woken — by a tick that committed runs, by
 * storage notices of runs queued or ended anywhere — and at least every `pollMs`. Ticks never wait
 * for it: a tick ends at its commit. Passes never overlap.
 */
export class RunQueue {
  readonly #dequeue: () => Promise<unknown>;
  readonly #log: DaemonLogger;
  readonly #pollMs: number;
  #woken = false;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #closed = false;
  /** Resolvers of `drain()` calls waiting for the next pass to end. */
  #waiting: (() => void)[] = [];

  constructor(dequeue: () => Promise<unknown>, log: DaemonLogger, pollMs = 1000) {
    this.#dequeue = dequeue;
    this.#log = log;
    this.#pollMs = pollMs;
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.#loop !== null || this.#closed) return;
    this.#loop = this.#run();
  }

  /** Asks for a pass soon (joins one already asked for). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Resolves when a pass that began after this call has ended (at once once closed). */
  drain(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.start();
    this.wake();
    return done;
  }

  /** Stops the loop after the pass in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      if (!this.#woken) await this.#sleep();
      if (this.#closed) break;
      this.#woken = false;
      const waiting = this.#waiting.splice(0);
      try {
        await this.#dequeue();
      } catch (error) {
        this.#log("error", `The daemon could not launch queued runs (${toError(error).message}); it will try again.`);
      }
      for (const resolve of waiting) resolve();
    }
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#pollMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}
