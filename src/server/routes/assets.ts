import { Hono } from "hono";
import { z } from "zod";
import { AssetKey, EventType, type EventLogRecord } from "../../model/index.js";
import type { AssetDetail, AssetSummary } from "../api-types.js";
import { httpError } from "../http-error.js";
import type { ServerContext } from "../server-context.js";
import { limitParam, parseQuery } from "../validate.js";

/** How many recent materializations `GET /api/assets` scans for distinct keys. */
const SCAN = 2000;
const historyQuery = z.object({ limit: limitParam(100, 1000), before: z.coerce.number().int().min(0).optional() });

/** `/api/assets`: materialized assets with their latest materialization; one asset's history. */
export function assetRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  const { instance } = ctx;

  app.get("/", async (c) => {
    const records = await instance.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, limit: SCAN });
    const latest = new Map<string, EventLogRecord>();
    for (const record of records) {
      const key = keyOf(record);
      if (key !== null && !latest.has(key)) latest.set(key, record);
    }
    const list: AssetSummary[] = [...latest].map(([key, record]) => ({ key, latest: record })).sort((a, b) => a.key.localeCompare(b.key));
    return c.json(list);
  });

  // The key is its string form ("a/b"), URL-encoded as one segment.
  app.get("/:key", async (c) => {
    const raw = c.req.param("key");
    const q = parseQuery(c, historyQuery);
    let key: string;
    try {
      key = AssetKey.from(raw).toString();
    } catch {
      throw httpError(400, `"${raw}" is not a valid asset key.`);
    }
    const history = await instance.getEventRecords({
      eventType: EventType.ASSET_MATERIALIZATION,
      assetKey: key,
      limit: q.limit,
      ...(q.before === undefined ? {} : { beforeCursor: q.before }),
    });
    if (history.length === 0 && q.before === undefined) throw httpError(404, `Asset "${key}" has no materialization in this instance.`);
    const detail: AssetDetail = { key, history };
    return c.json(detail);
  });
  return app;
}

function keyOf(record: EventLogRecord): string | null {
  const path = record.entry.event?.assetKey ?? record.entry.event?.materialization?.assetKey;
  return path === undefined ? null : AssetKey.from([...path]).toString();
}
