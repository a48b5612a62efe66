/**
 * Where the daemon reads the time (ms since epoch). Tick timestamps, intervals and tick purging
 * all come from it, so tests drive the daemon with a `ManualClock` and never wait on real time.
 */
export interface Clock {
  /** The current time, ms since epoch. */
  now(): number;
}

/**
 * The real clock (`Date.now()`); the daemon's default.
 *
 * @example
 * const daemon = new Daemon({ instance, definitions, clock: new SystemClock() });
 */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/**
 * A clock that moves only when told to, for tests: `advance(ms)` or `set(ms)`.
 *
 * @example
 * const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
 * await daemon.runIteration();
 * clock.advance(30_000);
 * await daemon.runIteration();
 * @see docs/daemon.md
 */
export class ManualClock implements Clock {
  #now: number;

  /** @param start - ms since epoch. @defaultValue `Date.now()` */
  constructor(start: number = Date.now()) {
    ManualClock.#check(start, "start");
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms` (0 or more) and returns the new time. */
  advance(ms: number): number {
    ManualClock.#check(ms, "advance");
    if (ms < 0) throw new RangeError(`ManualClock.advance(${ms}) would move time backwards; give 0 or more ms, or use set().`);
    this.#now += ms;
    return this.#now;
  }

  /** Sets the time to `ms` since epoch and returns it. */
  set(ms: number): number {
    ManualClock.#check(ms, "set");
    this.#now = ms;
    return this.#now;
  }

  static #check(value: number, what: string): void {
    if (!Number.isFinite(value)) throw new RangeError(`ManualClock ${what} got ${String(value)}; give a finite number of ms.`);
  }
}
