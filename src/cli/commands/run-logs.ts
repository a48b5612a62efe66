import type { RunLogEntry } from "../../storage/storage.js";
import type { CliContext } from "../cli-context.js";
import { requireRun } from "./run-show.js";

/**
 * `vigil run logs ID`: what the run printed (its ops' stdout and stderr, `console.log` included),
 * in order, as stored by the process that executed it — on this machine or any other. stdout goes
 * to stdout, stderr to stderr. `--json` prints `[{ id, stream, timestamp, text }]`.
 */
export async function runLogs(ctx: CliContext, runId: string): Promise<void> {
  const instance = await ctx.instance();
  await requireRun(instance, runId);
  const logs: RunLogEntry[] = [];
  for (let after = 0; ; ) {
    const page = await instance.storage.getRunLogs(runId, { afterId: after, limit: 1000 });
    logs.push(...page);
    const last = page.at(-1);
    if (last === undefined || page.length < 1000) break;
    after = last.id;
  }
  const { out } = ctx;
  out.data(logs);
  if (logs.length === 0) {
    out.note(`Run ${runId} printed nothing (yet).`);
    return;
  }
  for (const entry of logs) out.raw(entry.stream, entry.text);
}
