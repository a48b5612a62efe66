import type { ChangeEvent } from "./api-types.js";
import type { ServerContext } from "./server-context.js";

type Listener = (event: ChangeEvent) => void;

/**
 * One storage poll shared by every live-stream client: the newest event storage id (runs, run
 * statuses, materializations) and a signature of the sensors' states and newest ticks. Polls only
 * while someone listens.
 */
export class ChangePoller {
  readonly #ctx: ServerContext;
  readonly #intervalMs: number;
  readonly #listeners = new Set<Listener>();
  #timer: NodeJS.Timeout | null = null;
  #maxStorageId = -1;
  #sensorSignature = "";
  #polling = false;

  constructor(ctx: ServerContext, intervalMs: number) {
    this.#ctx = ctx;
    this.#intervalMs = intervalMs;
  }

  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (this.#timer === null) {
      void this.#poll();
      this.#timer = setInterval(() => void this.#poll(), this.#intervalMs);
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  /** Stops polling. */
  close(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#maxStorageId = -1;
    this.#sensorSignature = "";
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const { instance } = this.#ctx;
      const maxStorageId = await instance.storage.getMaxStorageId();
      const states = await instance.storage.getSensorStates();
      const parts = states.map((s) => `${s.name}:${s.status}:${s.statusSource}:${s.lastTickTimestamp}:${s.cursor}`);
      for (const sensor of await this.#ctx.sensors()) {
        const [tick] = await instance.storage.getTicks(sensor.name, { limit: 1 });
        parts.push(`${sensor.name}#${tick?.id}:${tick?.status}`);
      }
      const signature = parts.join("|");
      const kinds: ChangeEvent["kinds"] = [];
      if (this.#maxStorageId !== -1 && maxStorageId !== this.#maxStorageId) kinds.push("events");
      if (this.#sensorSignature !== "" && signature !== this.#sensorSignature) kinds.push("sensors");
      this.#maxStorageId = maxStorageId;
      this.#sensorSignature = signature;
      if (kinds.length > 0) for (const listener of this.#listeners) listener({ kinds, maxStorageId });
    } catch {
      // A failed poll (storage briefly unavailable) is retried at the next interval.
    } finally {
      this.#polling = false;
    }
  }
}
