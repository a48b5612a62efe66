import { resolve } from "node:path";
import { sandboxedPreviewer } from "../../daemon/sandboxed-preview.js";
import type { PreviewResult } from "../../instance/preview-sensor.js";
import type { CliContext } from "../cli-context.js";
import { CliFailure, UsageError } from "../exit-codes.js";

/** Options of `vigil sensor preview`. */
export interface PreviewOptions {
  cursor?: string;
  since?: string;
  lastRunKey?: string;
}

/**
 * A preview as `SensorEvaluation`-shaped JSON (`--json`): every run request with its resolved job
 * and whether its run key was already used (the tick would deduplicate it).
 */
export function evaluationJson(preview: PreviewResult): Record<string, unknown> {
  const json: Record<string, unknown> = { runRequests: preview.runRequests };
  if (preview.skipReason !== null) json.skipReason = { message: preview.skipReason };
  json.cursor = preview.cursor;
  if (preview.handledEvents > 0) json.handledEvents = preview.handledEvents;
  if (preview.error !== null) json.error = preview.error;
  return json;
}

/**
 * `vigil sensor preview NAME [--cursor C] [--since MS] [--last-run-key K]`: evaluates the sensor
 * once, as a tick would — in a worker thread that loads the definitions file, killed at the
 * sensor's timeout — with the stored (or given) cursor, and prints what the tick would do. The
 * sensor reads the instance through a read-only view; nothing is stored or launched.
 */
export async function sensorPreview(ctx: CliContext, name: string, options: PreviewOptions): Promise<void> {
  const since = options.since === undefined ? undefined : Number(options.since);
  if (since !== undefined && !Number.isFinite(since)) {
    throw new UsageError(`--since takes a time in ms since the epoch (e.g. ${Date.now()}); got ${JSON.stringify(options.since)}.`);
  }
  const sensor = await ctx.sensor(name);
  const instance = await ctx.instance();
  const preview = await sandboxedPreviewer(instance, resolve(ctx.file))(sensor, {
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    ...(options.lastRunKey === undefined ? {} : { lastRunKey: options.lastRunKey }),
    ...(since === undefined ? {} : { lastTickCompletionTime: since }),
  });
  // An evaluation that failed outright is this command's failure: exit 1 with the sensor's error.
  if (!preview.completed) throw new CliFailure(preview.error?.message ?? `Sensor "${name}" could not be previewed.`);
  printPreview(ctx, name, preview);
}

function printPreview(ctx: CliContext, name: string, preview: PreviewResult): void {
  const { out } = ctx;
  out.data(evaluationJson(preview));
  const requests = preview.runRequests;
  if (requests.length > 0) {
    out.line(`Sensor ${name} would request ${requests.length} run(s):`);
    out.line();
    out.table(
      requests,
      [
        { header: "RUN KEY", value: (r) => (r.runKey === null ? "-" : r.alreadyUsed ? `${r.runKey} (already used)` : r.runKey) },
        { header: "JOB", value: (r) => r.jobName ?? "-" },
        { header: "RUN CONFIG", value: (r) => JSON.stringify(r.runConfig) },
        { header: "TAGS", value: (r) => (Object.keys(r.tags).length === 0 ? "-" : JSON.stringify(r.tags)) },
      ],
      "",
    );
    const used = requests.filter((r) => r.alreadyUsed).length;
    if (used > 0) out.line(`${used} of them use a run key the sensor already used: the tick would create no run for those.`);
    out.line();
  }
  if (preview.skipReason !== null) out.line(`Sensor ${name} would skip: ${preview.skipReason || "(no reason given)"}`);
  if (preview.error !== null) out.line(`Sensor ${name} would fail: ${preview.error.message}`);
  const cursor = preview.cursor;
  out.line(cursor === preview.cursorBefore ? `Cursor: ${show(cursor)} (unchanged).` : `Cursor: ${show(cursor)} (was ${show(preview.cursorBefore)}).`);
  out.line(out.style("dim", "This was a preview: nothing was stored or launched."));
}

function show(cursor: string | null): string {
  return cursor === null ? "none" : JSON.stringify(cursor);
}
