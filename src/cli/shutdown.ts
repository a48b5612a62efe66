/** How long after the first stop signal a further one counts as "stop now" (and not an echo). */
const FORCE_AFTER_MS = 1000;
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Resolves when the process is asked to stop: Ctrl-C, SIGTERM, SIGHUP, or the death of the parent
 * named by `VIGIL_PARENT_PID` (the `vigil` shim or `vigil dev`), so no process is left orphaned.
 * A further signal more than a second later exits at once with code 130. Call the returned
 * `dispose()` once stopped.
 *
 * @example
 * const stop = stopRequested(out.note);
 * await stop.promise;
 * await daemon.close();
 * stop.dispose();
 */
export function stopRequested(note: (text: string) => void): { promise: Promise<string>; dispose(): void } {
  let firstAt: number | null = null;
  let resolveStop: (reason: string) => void = () => undefined;
  const promise = new Promise<string>((r) => (resolveStop = r));
  const request = (reason: string) => {
    if (firstAt === null) {
      firstAt = Date.now();
      resolveStop(reason);
    } else if (Date.now() - firstAt > FORCE_AFTER_MS) {
      note("Stopping now, without waiting.");
      process.exit(130);
    }
  };
  const handlers = SIGNALS.map((signal) => [signal, () => request(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const parent = Number(process.env.VIGIL_PARENT_PID);
  const watch = Number.isInteger(parent) && parent > 0
    ? setInterval(() => {
        if (process.ppid !== parent) request("parent exited");
      }, 500)
    : null;
  watch?.unref();
  return {
    promise,
    dispose() {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      if (watch !== null) clearInterval(watch);
    },
  };
}
