import type { SensorEvaluation } from "../../definitions/sensor-evaluation.js";
import { previewSensor } from "../../instance/preview-sensor.js";
import type { CliContext } from "../cli-context.js";
import { UsageError } from "../exit-codes.js";

/** Options of `vigil sensor preview`. */
export interface PreviewOptions {
  cursor?: string;
  since?: string;
  lastRunKey?: string;
}

/** A `SensorEvaluation` as plain JSON (`--json`): every run request with its resolved job. */
export function evaluationJson(evaluation: SensorEvaluation): Record<string, unknown> {
  const json: Record<string, unknown> = {
    runRequests: evaluation.runRequests.map((r) => ({ runKey: r.runKey ?? null, jobName: r.jobName ?? null, runConfig: r.runConfig, tags: r.tags })),
  };
  if (evaluation.skipReason !== undefined) json.skipReason = { message: evaluation.skipReason.message ?? null };
  json.cursor = evaluation.cursor;
  if (evaluation.handledRunEvents !== undefined) json.handledRunEvents = evaluation.handledRunEvents;
  if (evaluation.error !== undefined) json.error = evaluation.error;
  return json;
}

/**
 * `vigil sensor preview NAME [--cursor C] [--since MS] [--last-run-key K]`: evaluates the sensor
 * once with the stored (or given) cursor and prints what a tick would do. The sensor reads the
 * instance through a read-only view, and nothing is stored or launched.
 */
export async function sensorPreview(ctx: CliContext, name: string, options: PreviewOptions): Promise<void> {
  const since = options.since === undefined ? undefined : Number(options.since);
  if (since !== undefined && !Number.isFinite(since)) {
    throw new UsageError(`--since takes a time in ms since the epoch (e.g. ${Date.now()}); got ${JSON.stringify(options.since)}.`);
  }
  const definitions = await ctx.definitions();
  const sensor = await ctx.sensor(name);
  const instance = await ctx.instance();
  const { cursorBefore, evaluation } = await previewSensor(instance, definitions, sensor, {
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    ...(options.lastRunKey === undefined ? {} : { lastRunKey: options.lastRunKey }),
    ...(since === undefined ? {} : { lastTickCompletionTime: since }),
  });
  printEvaluation(ctx, name, evaluation, cursorBefore);
}

function printEvaluation(ctx: CliContext, name: string, evaluation: SensorEvaluation, cursorBefore: string | null): void {
  const { out } = ctx;
  out.data(evaluationJson(evaluation));
  const requests = evaluation.runRequests;
  if (requests.length > 0) {
    out.line(`Sensor ${name} would request ${requests.length} run(s):`);
    out.line();
    out.table(
      requests,
      [
        { header: "RUN KEY", value: (r) => r.runKey ?? "-" },
        { header: "JOB", value: (r) => r.jobName ?? "-" },
        { header: "RUN CONFIG", value: (r) => JSON.stringify(r.runConfig) },
        { header: "TAGS", value: (r) => (Object.keys(r.tags ?? {}).length === 0 ? "-" : JSON.stringify(r.tags)) },
      ],
      "",
    );
    out.line();
  }
  if (evaluation.skipReason !== undefined) {
    out.line(`Sensor ${name} would skip: ${evaluation.skipReason.message ?? "(no reason given)"}`);
  }
  if (evaluation.error !== undefined) out.line(`Sensor ${name} would fail: ${evaluation.error.message}`);
  const cursor = evaluation.cursor;
  out.line(cursor === cursorBefore ? `Cursor: ${show(cursor)} (unchanged).` : `Cursor: ${show(cursor)} (was ${show(cursorBefore)}).`);
  out.line(out.style("dim", "This was a preview: nothing was stored or launched."));
}

function show(cursor: string | null): string {
  return cursor === null ? "none" : JSON.stringify(cursor);
}
