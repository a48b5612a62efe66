import { Hono } from "hono";
import type { DeploymentStatus } from "../api-types.js";
import type { ServerContext } from "../server-context.js";

/** `GET /api/deployment`: live daemons with the sensors and duties they hold, live workers, run counts. */
export function deploymentRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    const status: DeploymentStatus = await ctx.instance.getDeploymentStatus();
    return c.json(status);
  });
  return app;
}
