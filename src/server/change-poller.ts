import type { ChangeEvent } from "./api-types.js";
import type { ServerContext } from "./server-context.js";

type Listener = (event: ChangeEvent) => void;

/**
 * One storage poll shared by every live-stream client: the newest event storage id (runs, run
 * statuses, materializations), a signature of the sensors' states and newest ticks, and one of the
 * deployment (live processes, lease holders). Polls only while someone listens.
 */
export class ChangePoller {
  readonly #ctx: ServerContext;
  readonly #intervalMs: number;
  readonly #listeners = new Set<Listener>();
  #timer: NodeJS.Timeout | null = null;
  #maxStorageId = -1;
  #sensorSignature = "";
  #deploymentSignature = "";
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
    this.#deploymentSignature = "";
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const { instance } = this.#ctx;
      const maxStorageId = await instance.storage.getMaxStorageId();
      const states = await instance.storage.getSensorStates();
      const parts = states.map((s) => `${s.name}:${s.status}:${s.statusSource}:${s.lastTickTimestamp}:${s.cursor}`);
      // Headers only: twice a second for every sensor, a tick's lists and bodies are never needed here.
      const sensors = await this.#ctx.sensors();
      const newest = await instance.storage.getLatestTickHeaders(sensors.map((s) => s.name));
      for (const sensor of sensors) {
        const tick = newest.get(sensor.name);
        parts.push(`${sensor.name}#${tick?.id}:${tick?.status}`);
      }
      const signature = parts.join("|");
      const deployment = await this.#deployment();
      const kinds: ChangeEvent["kinds"] = [];
      if (this.#maxStorageId !== -1 && maxStorageId !== this.#maxStorageId) kinds.push("events");
      if (this.#sensorSignature !== "" && signature !== this.#sensorSignature) kinds.push("sensors");
      if (this.#deploymentSignature !== "" && deployment !== this.#deploymentSignature) kinds.push("deployment");
      this.#maxStorageId = maxStorageId;
      this.#sensorSignature = signature;
      this.#deploymentSignature = deployment;
      if (kinds.length > 0) for (const listener of this.#listeners) listener({ kinds, maxStorageId });
    } catch {
      // A failed poll (storage briefly unavailable) is retried at the next interval.
    } finally {
      this.#polling = false;
    }
  }

  /**
   * Who is alive and who holds what: the live processes and the unexpired leases' holders and
   * tokens. Heartbeat and expiry times are left out, so renewals alone change nothing; a process
   * that stops heartbeating drops out once it expires. Never empty, so "" means "not polled yet".
   */
  async #deployment(): Promise<string> {
    const { storage } = this.#ctx.instance;
    const [{ now, processes }, leases] = await Promise.all([storage.getProcesses({ aliveOnly: true }), storage.getLeases()]);
    const held = leases.filter((l) => l.owner !== null && (l.expiresAt ?? 0) > now).map((l) => `${l.kind}:${l.name}:${l.owner}:${l.token}`);
    return `processes:${processes.map((p) => p.id).join(",")}|leases:${held.join(",")}`;
  }
}
