import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ChangeEvent } from "../api-types.js";
import type { ChangePoller } from "../change-poller.js";

/** `GET /api/stream`: Server-Sent Events; `change` with a `ChangeEvent` whenever storage changed. */
export function streamRoutes(poller: ChangePoller): Hono {
  const app = new Hono();
  app.get("/", (c) =>
    streamSSE(c, async (stream) => {
      const queue: ChangeEvent[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = poller.subscribe((event) => {
        queue.push(event);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({ event: "hello", data: "{}" });
      while (!stream.aborted && !stream.closed) {
        const next = queue.shift();
        if (next !== undefined) {
          await stream.writeSSE({ event: "change", data: JSON.stringify(next) });
          continue;
        }
        // Wake on a change, or every 15 s to send a keep-alive comment.
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 15_000).unref();
        });
        wake = null;
        if (queue.length === 0 && !stream.aborted) await stream.write(": keep-alive\n\n");
      }
      unsubscribe();
    }),
  );
  return app;
}
