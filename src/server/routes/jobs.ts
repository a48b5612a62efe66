import { Hono } from "hono";
import { z } from "zod";
import type { AnyJobDefinition } from "../../definitions/job.js";
import type { JobSummary } from "../api-types.js";
import { httpError } from "../http-error.js";
import type { ServerContext } from "../server-context.js";
import { nameParam } from "../validate.js";

/** `/api/jobs`: every job with its op graph and each op's config as JSON Schema. */
export function jobRoutes(ctx: ServerContext): Hono {
  const app = new Hono();

  async function summaries(): Promise<JobSummary[]> {
    const definitions = await ctx.definitions();
    return definitions.jobs.map((job) => summarizeJob(job, definitions.sensors.filter((s) => s.targetJobNames.includes(job.name)).map((s) => s.name)));
  }

  app.get("/", async (c) => c.json(await summaries()));
  app.get("/:name", async (c) => {
    const raw = c.req.param("name");
    const name = nameParam.safeParse(raw);
    const found = name.success ? (await summaries()).find((j) => j.name === name.data) : undefined;
    if (found === undefined) throw httpError(404, `Job "${raw}" does not exist in these definitions.`);
    return c.json(found);
  });
  return app;
}

function summarizeJob(job: AnyJobDefinition, sensorNames: string[]): JobSummary {
  return {
    name: job.name,
    description: job.description,
    tags: { ...job.tags },
    sensorNames,
    ops: job.nodes.map((node) => ({
      name: node.name,
      opName: node.op.name,
      description: node.op.description,
      inputs: [...(job.dependencies[node.name] ?? node.inputs)],
      configSchema: node.op.config === null ? null : jsonSchema(node.op.config),
    })),
  };
}

function jsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  } catch (error) {
    return { description: `This config cannot be shown as JSON Schema: ${error instanceof Error ? error.message : String(error)}` };
  }
}
