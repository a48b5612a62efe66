import type { SensorDefinition } from "../../definitions/sensor-definition.js";
import type { CliContext } from "../cli-context.js";

/** One row of `vigil job list` (its `--json` objects). */
export interface JobListRow {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  /** Op node names, in the order the job body called them. */
  ops: string[];
  /** The sensors that may launch this job. */
  sensors: string[];
}

/** `vigil job list`: the jobs of the definitions, their ops and the sensors that target them. */
export async function jobList(ctx: CliContext): Promise<void> {
  const definitions = await ctx.definitions();
  const sensors = definitions.sensors as unknown as readonly SensorDefinition[];
  const rows: JobListRow[] = definitions.jobs.map((job) => ({
    name: job.name,
    description: job.description,
    tags: { ...job.tags },
    ops: job.nodes.map((n) => n.name),
    sensors: sensors.filter((s) => s.targetJobNames.includes(job.name)).map((s) => s.name),
  }));
  ctx.out.data(rows);
  ctx.out.table(
    rows,
    [
      { header: "NAME", value: (r) => r.name },
      { header: "OPS", value: (r) => r.ops.join(", ") || "-" },
      { header: "SENSORS", value: (r) => r.sensors.join(", ") || "-" },
      { header: "DESCRIPTION", value: (r) => r.description ?? "" },
    ],
    `No jobs in ${ctx.file}.`,
  );
}
