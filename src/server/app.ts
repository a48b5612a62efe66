import { Hono } from "hono";
import { security } from "./auth.js";
import { ChangePoller } from "./change-poller.js";
import { errorResponse, httpError } from "./http-error.js";
import { assetRoutes } from "./routes/assets.js";
import { deploymentRoutes } from "./routes/deployment.js";
import { jobRoutes } from "./routes/jobs.js";
import { overviewRoutes } from "./routes/overview.js";
import { runRoutes } from "./routes/runs.js";
import { sensorRoutes } from "./routes/sensors.js";
import { streamRoutes } from "./routes/stream.js";
import { serverContext, type AppOptions } from "./server-context.js";
import { defaultUiDir, serveStatic } from "./static-files.js";

/** The HTTP app and what must be released with it. */
export interface VigilApp {
  app: Hono;
  /** Stops the live stream's polling. */
  close(): void;
}

/**
 * The Vigil UI's HTTP app: the JSON API under `/api` (docs/ui.md) and the built UI. Test it with
 * `app.request(path, init)`; serve it with `startUiServer`.
 *
 * @example
 * const { app } = createApp({ instance, definitions: defs });
 * const res = await app.request("/api/sensors");
 */
export function createApp(options: AppOptions): VigilApp {
  const ctx = serverContext(options);
  const poller = new ChangePoller(ctx, options.pollIntervalMs ?? 500);
  const uiDir = options.uiDir === undefined ? defaultUiDir() : options.uiDir;
  const app = new Hono();
  app.onError(errorResponse);
  app.use("*", async (c, next) => {
    await next();
    c.header("x-frame-options", "DENY");
    c.header("referrer-policy", "no-referrer");
  });
  app.use("*", security({ authToken: options.authToken ?? null, readOnly: ctx.readOnly, allowPreview: options.allowPreview === true }));
  app.route("/api", overviewRoutes(ctx));
  app.route("/api/sensors", sensorRoutes(ctx));
  app.route("/api/runs", runRoutes(ctx));
  app.route("/api/jobs", jobRoutes(ctx));
  app.route("/api/assets", assetRoutes(ctx));
  app.route("/api/deployment", deploymentRoutes(ctx));
  app.route("/api/stream", streamRoutes(poller));
  app.all("/api/*", (c) => {
    throw httpError(404, `No API endpoint ${c.req.method} ${c.req.path}.`);
  });
  app.get("*", (c) => {
    if (uiDir === null) return c.text("The UI is not built; run `npm run build` (the API is under /api).", 404);
    return serveStatic(c, uiDir);
  });
  return { app, close: () => poller.close() };
}
