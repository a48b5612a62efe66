import { Hono } from "hono";
import { z } from "zod";
import { ErrorCode, VigilError } from "../../errors/index.js";
import { RunStatus, RunTag } from "../../model/index.js";
import type { EventsPage, RunsPage, RunLogsPage } from "../api-types.js";
import { httpError } from "../http-error.js";
import { runDetail, summarizeRun } from "../run-summary.js";
import type { ServerContext } from "../server-context.js";
import { limitParam, listParam, nameParam, parseJsonBody, parseQuery } from "../validate.js";

const runStatuses = Object.values(RunStatus) as [RunStatus, ...RunStatus[]];
const tagParam = z.string().max(500).regex(/^[^=]+=.*$/, "must be key=value");
const runsQuery = z.object({
  limit: limitParam(50, 500),
  cursor: z.string().max(200).optional(),
  status: listParam(runStatuses),
  job: nameParam.optional(),
  sensor: nameParam.optional(),
  tag: z.union([tagParam, z.array(tagParam).max(20)]).optional(),
});
const cancelBody = z.object({ force: z.boolean().optional() }).strict();
const eventsQuery = z.object({ after: z.coerce.number().int().min(0).optional(), limit: limitParam(500, 5000) });
/** The whole log read to compute step timings, at most. */
const DETAIL_EVENTS = 10_000;

/** `/api/runs`: filtered pages of runs, one run with its step timings and queue info, its event log by storage id, cancel. */
export function runRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  const { instance } = ctx;

  async function runWithId(id: string) {
    const run = id.length <= 200 ? await instance.getRun(id) : null;
    if (run === null) throw httpError(404, `Run "${id}" does not exist in this instance.`);
    return run;
  }

  app.get("/", async (c) => {
    const q = parseQuery(c, runsQuery);
    const tags: Record<string, string> = {};
    for (const pair of q.tag === undefined ? [] : Array.isArray(q.tag) ? q.tag : [q.tag]) {
      const at = pair.indexOf("=");
      tags[pair.slice(0, at)] = pair.slice(at + 1);
    }
    if (q.sensor !== undefined) tags[RunTag.SENSOR_NAME] = q.sensor;
    if (q.cursor !== undefined && (await instance.getRun(q.cursor)) === null) throw httpError(400, `Invalid query parameter "cursor": run "${q.cursor}" does not exist.`);
    const runs = await instance.getRuns({
      limit: q.limit,
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      ...(q.status === undefined ? {} : { statuses: q.status }),
      ...(q.job === undefined ? {} : { jobName: q.job }),
      ...(Object.keys(tags).length === 0 ? {} : { tags }),
    });
    const page: RunsPage = { runs: runs.map(summarizeRun), nextCursor: runs.length === q.limit ? (runs.at(-1)?.runId ?? null) : null };
    return c.json(page);
  });

  app.get("/:id", async (c) => {
    const run = await runWithId(c.req.param("id"));
    // Only a queued run has queue info: the query is skipped for every other one.
    const [events, queueInfo] = await Promise.all([
      instance.getRunEvents(run.runId, { limit: DETAIL_EVENTS }),
      run.status === RunStatus.QUEUED ? instance.getRunQueueInfo(run.runId) : null,
    ]);
    return c.json(runDetail(run, events, queueInfo));
  });

  app.get("/:id/events", async (c) => {
    const run = await runWithId(c.req.param("id"));
    const q = parseQuery(c, eventsQuery);
    const events = await instance.getRunEvents(run.runId, { limit: q.limit, ...(q.after === undefined ? {} : { afterStorageId: q.after }) });
    const page: EventsPage = { events, nextAfter: events.length === q.limit ? (events.at(-1)?.storageId ?? null) : null };
    return c.json(page);
  });

  // What the run printed (stdout, stderr), stored by whichever process executed it, in pages.
  app.get("/:id/logs", async (c) => {
    const run = await runWithId(c.req.param("id"));
    const q = parseQuery(c, eventsQuery);
    const logs = await instance.storage.getRunLogs(run.runId, { limit: q.limit, ...(q.after === undefined ? {} : { afterId: q.after }) });
    const page: RunLogsPage = { logs, nextAfter: logs.length === q.limit ? (logs.at(-1)?.id ?? null) : null };
    return c.json(page);
  });

  // A queued run becomes CANCELED at once, a started one CANCELING (Instance.cancelRun); with
  // `{ "force": true }` a starting, started or canceling one becomes CANCELED at once too. A finished one is a 409.
  app.post("/:id/cancel", async (c) => {
    const run = await runWithId(c.req.param("id"));
    const body = await parseJsonBody(c, cancelBody);
    try {
      return c.json(summarizeRun(await instance.cancelRun(run.runId, { force: body.force === true })));
    } catch (error) {
      // A finished run: cancelRun says so in one sentence.
      if (VigilError.is(error, ErrorCode.INVALID_ARGUMENT)) throw httpError(409, error.message);
      throw error;
    }
  });

  return app;
}
