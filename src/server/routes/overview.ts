import { Hono } from "hono";
import { RunStatus, TickStatus, type Tick } from "../../model/index.js";
import type { ApiInfo, Overview } from "../api-types.js";
import { summarizeRun } from "../run-summary.js";
import type { ServerContext } from "../server-context.js";
import { summarizeSensors } from "../sensor-summary.js";

const IN_PROGRESS = [RunStatus.QUEUED, RunStatus.NOT_STARTED, RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING];

/** `/api/info` and `/api/overview`. */
export function overviewRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  const { instance } = ctx;

  app.get("/info", async (c) => {
    const info: ApiInfo = { repositoryName: (await ctx.definitions()).name, readOnly: ctx.readOnly, previewAllowed: ctx.previewAllowed, now: Date.now() };
    return c.json(info);
  });

  app.get("/overview", async (c) => {
    const sensors = await ctx.sensors();
    const [summaries, inProgress, recent] = await Promise.all([
      summarizeSensors(instance, sensors),
      instance.getRuns({ statuses: IN_PROGRESS, limit: 20 }),
      instance.getRuns({ limit: 10 }),
    ]);
    const failures: Tick[] = [];
    for (const sensor of sensors) failures.push(...(await instance.storage.getTicks(sensor.name, { statuses: [TickStatus.FAILURE], limit: 5 })));
    failures.sort((a, b) => b.timestamp - a.timestamp);
    const runCounts: Record<string, number> = {};
    for (const status of Object.values(RunStatus)) runCounts[status] = await instance.storage.countRuns({ statuses: [status] });
    const overview: Overview = {
      sensors: summaries,
      recentFailures: failures.slice(0, 10),
      runsInProgress: inProgress.map(summarizeRun),
      recentRuns: recent.map(summarizeRun),
      runCounts,
    };
    return c.json(overview);
  });
  return app;
}
