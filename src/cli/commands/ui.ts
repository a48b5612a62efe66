import type { CliContext } from "../cli-context.js";
import { UsageError } from "../exit-codes.js";
import { stopRequested } from "../shutdown.js";
import { resolve } from "node:path";
import { sandboxedPreviewer } from "../../daemon/sandboxed-preview.js";
import { startUiServer } from "../../server/index.js";

/** Options of `vigil ui`. */
export interface UiCommandOptions {
  host?: string;
  port?: string;
  readOnly?: boolean;
  allowPreview?: boolean;
}

/** Parses `--port`: an integer from 0 (any free port) to 65535. */
export function parsePort(value: string | undefined): number {
  if (value === undefined) return 3000;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new UsageError(`--port takes a port number from 0 to 65535; got ${JSON.stringify(value)}.`);
  return port;
}

/**
 * `vigil ui [--host 127.0.0.1] [--port 3000] [--read-only [--allow-preview]]`: serves the web UI
 * alone (no daemon) until Ctrl-C. Binding anything but a loopback address needs `VIGIL_AUTH_TOKEN`.
 * A read-only UI refuses previews too (they run sensor code) unless `--allow-preview`.
 */
export async function uiCommand(ctx: CliContext, options: UiCommandOptions): Promise<void> {
  const { out } = ctx;
  const port = parsePort(options.port);
  const token = process.env.VIGIL_AUTH_TOKEN;
  const stop = stopRequested((t) => out.note(t));
  try {
    const definitions = await ctx.definitions();
    const instance = await ctx.instance();
    const server = await startUiServer({
      instance,
      definitions,
      host: options.host ?? "127.0.0.1",
      port,
      readOnly: options.readOnly === true,
      allowPreview: options.allowPreview === true,
      // Previews run like ticks: in a worker thread that loads the file, killed at the sensor's timeout.
      previewer: sandboxedPreviewer(instance, resolve(ctx.file)),
      authToken: token === undefined || token === "" ? null : token,
    });
    const open = token === undefined || token === "" ? server.url : `${server.url}?token=<VIGIL_AUTH_TOKEN>`;
    out.line(`Vigil UI at ${open}${options.readOnly === true ? " (read-only)" : ""}`);
    out.line(out.style("dim", "Press Ctrl-C to stop."));
    await stop.promise;
    await server.close();
  } finally {
    stop.dispose();
  }
}
