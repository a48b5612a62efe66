import type { SensorDefinition } from "../definitions/sensor-definition.js";
import { toError } from "../errors/index.js";
import type { Instance } from "../instance/instance.js";
import { EventType, RunTag, type EventLogRecord } from "../model/index.js";
import { formatTime, type Output } from "./output.js";

/** Run status events the feed reports. */
const FEED_EVENTS = [EventType.RUN_ENQUEUED, EventType.RUN_START, EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELING, EventType.RUN_CANCELED] as const;

/**
 * What `vigil daemon` and `vigil dev` print while they run: runs queued, started and finished, and
 * ticks that requested runs or failed (skipped ticks stay quiet). It polls the instance, from
 * where it stood when it started, so history is not replayed.
 *
 * @example
 * const feed = await ActivityFeed.start(instance, () => sensors, out);
 * await feed.stop();
 */
export class ActivityFeed {
  readonly #instance: Instance;
  readonly #sensors: () => readonly SensorDefinition[];
  readonly #out: Output;
  #storageId: number;
  readonly #lastTick = new Map<string, number>();
  /** The last failure printed per sensor: a sensor failing the same way every tick is reported once. */
  readonly #lastError = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> = Promise.resolve();

  private constructor(instance: Instance, sensors: () => readonly SensorDefinition[], out: Output, storageId: number) {
    this.#instance = instance;
    this.#sensors = sensors;
    this.#out = out;
    this.#storageId = storageId;
  }

  /** Starts polling every `intervalMs` (default 1 s). */
  static async start(instance: Instance, sensors: () => readonly SensorDefinition[], out: Output, intervalMs = 1000): Promise<ActivityFeed> {
    const feed = new ActivityFeed(instance, sensors, out, await instance.storage.getMaxStorageId());
    const newest = await instance.storage.getLatestTickHeaders(sensors().map((s) => s.name));
    for (const sensor of sensors()) feed.#lastTick.set(sensor.name, newest.get(sensor.name)?.id ?? 0);
    feed.#timer = setInterval(() => {
      feed.#polling = feed.#polling.then(() => feed.poll()).catch((error: unknown) => out.note(`Could not read the instance for the activity feed: ${toError(error).message}`));
    }, intervalMs);
    return feed;
  }

  /** Reads and prints what happened since the last poll. */
  async poll(): Promise<void> {
    await this.#pollTicks();
    await this.#pollRuns();
  }

  /** Stops polling after printing what is left. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#polling;
    await this.poll().catch(() => undefined);
  }

  async #pollTicks(): Promise<void> {
    for (const sensor of this.#sensors()) {
      const seen = this.#lastTick.get(sensor.name) ?? 0;
      const ticks = (await this.#instance.getTicks(sensor.name, { limit: 20 })).filter((t) => t.id > seen && t.status !== "STARTED").reverse();
      for (const tick of ticks) {
        this.#lastTick.set(sensor.name, tick.id);
        const time = formatTime(tick.endTimestamp ?? tick.timestamp).slice(11);
        if (tick.status === "FAILURE") {
          const message = tick.error?.message ?? "unknown error";
          if (this.#lastError.get(sensor.name) !== message) this.#line(time, `sensor ${sensor.name} ${this.#out.style("red", "failed")}: ${message}`);
          this.#lastError.set(sensor.name, message);
          continue;
        }
        this.#lastError.delete(sensor.name);
        if (tick.status === "SUCCESS" && tick.runIds.length > 0) {
          this.#line(time, `sensor ${sensor.name} requested ${tick.runIds.length} run(s)${tick.runKeys.length > 0 ? ` (run keys ${tick.runKeys.join(", ")})` : ""}`);
        }
      }
    }
  }

  async #pollRuns(): Promise<void> {
    const max = await this.#instance.storage.getMaxStorageId();
    if (max <= this.#storageId) return;
    const records: EventLogRecord[] = [];
    for (const eventType of FEED_EVENTS) {
      records.push(...(await this.#instance.getEventRecords({ eventType, afterCursor: this.#storageId, beforeCursor: max + 1, ascending: true })));
    }
    this.#storageId = max;
    records.sort((a, b) => a.storageId - b.storageId);
    for (const { entry } of records) {
      const run = `run ${entry.runId.slice(0, 8)} (${entry.jobName})`;
      const time = formatTime(entry.timestamp).slice(11);
      switch (entry.event?.eventType) {
        case EventType.RUN_ENQUEUED: {
          const stored = await this.#instance.getRun(entry.runId);
          const key = stored?.tags[RunTag.RUN_KEY];
          this.#line(time, `${run} queued${key === undefined ? "" : ` for run key ${key}`}`);
          break;
        }
        case EventType.RUN_START:
          this.#line(time, `${run} started`);
          break;
        case EventType.RUN_SUCCESS:
          this.#line(time, `${run} ${this.#out.style("green", "succeeded")}`);
          break;
        case EventType.RUN_FAILURE:
          this.#line(time, `${run} ${this.#out.style("red", "failed")}: ${entry.message}`);
          break;
        default:
          this.#line(time, `${run} ${entry.event?.runStatus?.toLowerCase() ?? entry.message}`);
      }
    }
  }

  #line(time: string, text: string): void {
    this.#out.line(`${this.#out.style("dim", time)}  ${text}`);
  }
}
