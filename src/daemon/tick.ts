/**
 * The points of a tick's life, in order. The daemon calls `crashIfRequested(step)` right after
 * each one, so a crash test can stop the process at every point (`VIGIL_CRASH_AT=<step>`) and
 * check that a restart recovers: no run lost, none launched twice, the cursor consistent.
 *
 * - `TICK_CREATED`: the `STARTED` tick row exists; nothing else was written.
 * - `EVALUATED`: the sensor was evaluated (in memory only).
 * - `COMMITTED`: the one transaction is committed: run-key reservations, `QUEUED` runs, the
 *   tick's end and the sensor's cursor.
 * - `RUN_CREATED`: reached once per created run, after the commit (runs are created by it).
 * - `RUN_LAUNCHED`: reached once per run, after the run moved `QUEUED` → `STARTING` and was handed
 *   to the launcher.
 * - `TICK_COMPLETED`: every run launched and old ticks purged; the tick is over.
 *
 * @example
 * for (const step of Object.values(TickStep)) spawnDaemon({ env: { VIGIL_CRASH_AT: step } });
 * @see docs/daemon.md
 */
export const TickStep = {
  TICK_CREATED: "TICK_CREATED",
  EVALUATED: "EVALUATED",
  COMMITTED: "COMMITTED",
  RUN_CREATED: "RUN_CREATED",
  RUN_LAUNCHED: "RUN_LAUNCHED",
  TICK_COMPLETED: "TICK_COMPLETED",
} as const;

export type TickStep = (typeof TickStep)[keyof typeof TickStep];

/** The exit code of a process stopped by `VIGIL_CRASH_AT`. */
export const CRASH_EXIT_CODE = 86;

/**
 * @internal Exits the process at once with code 86 when `VIGIL_CRASH_AT` names `step`, leaving
 * storage exactly as a `SIGKILL` there would (no cleanup, no pending write flushed).
 */
export function crashIfRequested(step: TickStep): void {
  if (process.env.VIGIL_CRASH_AT === step) {
    // process.exit skips pending promises and timers: nothing more reaches storage after `step`.
    process.exit(CRASH_EXIT_CODE);
  }
}
