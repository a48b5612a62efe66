import { Hono } from "hono";
import { z } from "zod";
import { AssetKey, EventType } from "../../model/index.js";
import type { AssetDetail, AssetSummary } from "../api-types.js";
import { httpError } from "../http-error.js";
import type { ServerContext } from "../server-context.js";
import { limitParam, parseQuery } from "../validate.js";

const historyQuery = z.object({ limit: limitParam(100, 1000), before: z.coerce.number().int().min(0).optional() });

/** `/api/assets`: materialized assets with their latest materialization; one asset's history. */
export function assetRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  const { instance } = ctx;

  // Every materialized asset, exactly: a few index seeks per asset key (storage getAssetKeys).
  app.get("/", async (c) => {
    const keys = await instance.storage.getAssetKeys();
    const list: AssetSummary[] = keys.map((k) => ({ key: k.assetKey, latest: k.lastMaterialization })).sort((a, b) => a.key.localeCompare(b.key));
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
