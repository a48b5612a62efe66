import type { LogLevel } from "../model/index.js";

/** Where a sensor writes log lines: `context.log.info("...")`. */
export interface SensorLogger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** One line a sensor logged during an evaluation. `timestamp` is ms since epoch. */
export interface SensorLogEntry {
  level: LogLevel;
  message: string;
  timestamp: number;
}

/**
 * The logger a context uses when none is given: it keeps every line in `entries` (the daemon stores
 * them with the tick) and also hands each to `onEntry` when given.
 *
 * @example
 * const log = new SensorLog((e) => console.log(e.level, e.message));
 * const context = buildSensorContext({ log });
 */
export class SensorLog implements SensorLogger {
  readonly entries: SensorLogEntry[] = [];
  readonly #onEntry: ((entry: SensorLogEntry) => void) | undefined;

  constructor(onEntry?: (entry: SensorLogEntry) => void) {
    this.#onEntry = onEntry;
  }

  debug(message: string): void {
    this.#write("DEBUG", message);
  }
  info(message: string): void {
    this.#write("INFO", message);
  }
  warning(message: string): void {
    this.#write("WARNING", message);
  }
  error(message: string): void {
    this.#write("ERROR", message);
  }

  #write(level: LogLevel, message: string): void {
    const entry = { level, message: String(message), timestamp: Date.now() };
    this.entries.push(entry);
    this.#onEntry?.(entry);
  }
}
