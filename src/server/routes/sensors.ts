import { Hono } from "hono";
import { z } from "zod";
import type { SensorDefinition } from "../../definitions/sensor-definition.js";
import { SensorStatus, TickStatus } from "../../model/index.js";
import type { PreviewResult, SensorSummary, TicksPage } from "../api-types.js";
import { httpError } from "../http-error.js";
import type { ServerContext } from "../server-context.js";
import { sensorOwners, summarizeSensor, summarizeSensors } from "../sensor-summary.js";
import { limitParam, listParam, nameParam, parseJsonBody, parseQuery } from "../validate.js";

const tickStatuses = Object.values(TickStatus) as [TickStatus, ...TickStatus[]];
const ticksQuery = z.object({
  limit: limitParam(50, 1000),
  status: listParam(tickStatuses),
  /** Only ticks that started before this time (ms): the next page. */
  before: z.coerce.number().int().min(0).optional(),
  /** Only ticks that started at or after this time (ms): a timeline window. */
  since: z.coerce.number().int().min(0).optional(),
});
const empty = z.object({}).strict();
const previewBody = z.object({ cursor: z.string().max(100_000).nullable().optional() }).strict();
const cursorBody = z.object({ cursor: z.string().max(100_000).nullable() }).strict();

/** `/api/sensors`: list, detail, ticks, start, stop, preview and cursor. */
export function sensorRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  const { instance } = ctx;

  async function sensorNamed(raw: string): Promise<SensorDefinition> {
    const name = nameParam.safeParse(raw);
    const found = name.success ? (await ctx.sensors()).find((s) => s.name === name.data) : undefined;
    if (found === undefined) throw httpError(404, `Sensor "${raw}" does not exist in these definitions.`);
    return found;
  }

  async function summary(sensor: SensorDefinition): Promise<SensorSummary> {
    const [state, owners] = await Promise.all([instance.getSensorState(sensor.name), sensorOwners(instance)]);
    return summarizeSensor(instance, sensor, state, Date.now(), owners.get(sensor.name) ?? null);
  }

  app.get("/", async (c) => c.json(await summarizeSensors(instance, await ctx.sensors())));

  app.get("/:name", async (c) => c.json(await summary(await sensorNamed(c.req.param("name")))));

  app.get("/:name/ticks", async (c) => {
    const sensor = await sensorNamed(c.req.param("name"));
    const q = parseQuery(c, ticksQuery);
    const options = { limit: q.limit, ...(q.status === undefined ? {} : { statuses: q.status }), ...(q.before === undefined ? {} : { beforeTimestamp: q.before }) };
    let ticks = await instance.storage.getTicks(sensor.name, options);
    const full = ticks.length === q.limit;
    if (q.since !== undefined) ticks = ticks.filter((t) => t.timestamp >= (q.since ?? 0));
    const last = ticks.at(-1);
    const page: TicksPage = { ticks, nextBefore: full && last !== undefined && ticks.length === q.limit ? last.timestamp : null };
    return c.json(page);
  });

  app.post("/:name/start", async (c) => {
    const sensor = await sensorNamed(c.req.param("name"));
    await parseJsonBody(c, empty);
    await instance.startSensor(sensor.name);
    return c.json(await summary(sensor));
  });

  app.post("/:name/stop", async (c) => {
    const sensor = await sensorNamed(c.req.param("name"));
    await parseJsonBody(c, empty);
    await instance.stopSensor(sensor.name);
    return c.json(await summary(sensor));
  });

  app.post("/:name/cursor", async (c) => {
    const sensor = await sensorNamed(c.req.param("name"));
    const body = await parseJsonBody(c, cursorBody);
    const defaultStatus = sensor.defaultStatus === "RUNNING" ? SensorStatus.RUNNING : SensorStatus.STOPPED;
    await instance.setCursor(sensor.name, body.cursor, { defaultStatus });
    return c.json(await summary(sensor));
  });

  // A POST because it runs user code, though it stores nothing; in the sandbox the CLI gives, at the sensor's timeout.
  app.post("/:name/preview", async (c) => {
    const sensor = await sensorNamed(c.req.param("name"));
    const body = await parseJsonBody(c, previewBody);
    const result: PreviewResult = await ctx.previewer(sensor, body.cursor === undefined ? {} : { cursor: body.cursor });
    return c.json(result);
  });

  return app;
}
