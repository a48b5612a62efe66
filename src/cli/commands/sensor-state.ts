import type { CliContext } from "../cli-context.js";
import { UsageError } from "../exit-codes.js";

/** `vigil sensor start NAME` / `vigil sensor stop NAME`: a stored user override of the default status. */
export async function sensorStartStop(ctx: CliContext, name: string, action: "start" | "stop"): Promise<void> {
  await ctx.sensor(name);
  const instance = await ctx.instance();
  const state = action === "start" ? await instance.startSensor(name) : await instance.stopSensor(name);
  ctx.out.data(state);
  ctx.out.line(action === "start" ? `Started sensor ${name}.` : `Stopped sensor ${name}.`);
}

/** `vigil sensor cursor NAME --set C | --delete`: edits the stored cursor, never the running status. */
export async function sensorCursor(ctx: CliContext, name: string, options: { set?: string; delete?: boolean }): Promise<void> {
  const set = options.set;
  const clear = options.delete === true;
  if ((set === undefined) === !clear) {
    throw new UsageError(`Give exactly one of --set <cursor> or --delete to "vigil sensor cursor ${name}".`);
  }
  const sensor = await ctx.sensor(name);
  const instance = await ctx.instance();
  const state = await instance.setCursor(name, set ?? null, { defaultStatus: sensor.defaultStatus });
  ctx.out.data(state);
  ctx.out.line(set === undefined ? `Cleared the cursor of sensor ${name}.` : `Set the cursor of sensor ${name} to ${JSON.stringify(set)}.`);
}
