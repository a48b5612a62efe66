import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { InvalidArgumentError } from "../errors/index.js";
import { createApp } from "./app.js";
import { isLoopbackHost } from "./auth.js";
import type { AppOptions } from "./server-context.js";

/** Options of `startUiServer`. */
export interface UiServerOptions extends AppOptions {
  /** @defaultValue "127.0.0.1" */
  host?: string;
  /** 0 picks a free port. @defaultValue 3000 */
  port?: number;
}

/** A running UI server. */
export interface UiServer {
  /** Where it listens, e.g. `http://127.0.0.1:3000/`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the UI and its API (what `vigil ui` and `vigil dev` run). Binding anything but a loopback
 * address needs `authToken` (the CLI passes `VIGIL_AUTH_TOKEN`). Resolves once it listens.
 *
 * @example
 * const server = await startUiServer({ instance, definitions: defs, port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.authToken ?? null;
  if (token !== null && token.length < 8) throw new InvalidArgumentError("VIGIL_AUTH_TOKEN must be at least 8 characters long.");
  if (!isLoopbackHost(host) && token === null) {
    throw new InvalidArgumentError(`Binding the UI to ${host} needs VIGIL_AUTH_TOKEN; set it, or bind 127.0.0.1.`);
  }
  const { app, close } = createApp(options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 3000 }, () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    close: async () => {
      close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
    },
  };
}
