import type { SensorDefinition } from "../../definitions/sensor-definition.js";
import type { Instance } from "../../instance/instance.js";
import type { SensorStatus, SensorStatusSource, TickStatus } from "../../model/index.js";
import type { CliContext } from "../cli-context.js";
import { formatTime, styleStatus } from "../output.js";

/** One row of `vigil sensor list` (its `--json` objects). */
export interface SensorListRow {
  name: string;
  /** The effective status: a stored user start/stop wins; otherwise the code's `defaultStatus`. */
  status: SensorStatus;
  statusSource: SensorStatusSource;
  minimumIntervalSeconds: number;
  lastTickStatus: TickStatus | null;
  lastTickTimestamp: number | null;
}

/** The effective status of a sensor and where it comes from (REFERENCE 1.7). */
export async function effectiveStatus(instance: Instance, sensor: SensorDefinition): Promise<{ status: SensorStatus; statusSource: SensorStatusSource }> {
  const state = await instance.getSensorState(sensor.name);
  if (state?.statusSource === "user") return { status: state.status, statusSource: "user" };
  return { status: sensor.defaultStatus, statusSource: "default" };
}

/** `vigil sensor list [--running | --stopped]`. */
export async function sensorList(ctx: CliContext, options: { running?: boolean; stopped?: boolean }): Promise<void> {
  const definitions = await ctx.definitions();
  const instance = await ctx.instance();
  const rows: SensorListRow[] = [];
  const sensors = definitions.sensors as unknown as readonly SensorDefinition[];
  const newest = await instance.storage.getLatestTickHeaders(sensors.map((s) => s.name));
  for (const sensor of sensors) {
    const { status, statusSource } = await effectiveStatus(instance, sensor);
    const tick = newest.get(sensor.name);
    rows.push({
      name: sensor.name,
      status,
      statusSource,
      minimumIntervalSeconds: sensor.minimumIntervalSeconds,
      lastTickStatus: tick?.status ?? null,
      lastTickTimestamp: tick?.timestamp ?? null,
    });
  }
  const shown = rows.filter((r) => (options.running !== true || r.status === "RUNNING") && (options.stopped !== true || r.status === "STOPPED"));
  const { out } = ctx;
  out.data(shown);
  out.table(
    shown,
    [
      { header: "NAME", value: (r) => r.name },
      { header: "STATUS", value: (r) => (r.statusSource === "user" ? r.status : `${r.status} (default)`), style: (r, t) => out.style(r.status === "RUNNING" ? "green" : "dim", t) },
      { header: "INTERVAL", value: (r) => `${r.minimumIntervalSeconds} s` },
      { header: "LAST TICK", value: (r) => r.lastTickStatus ?? "-", style: (_r, t) => styleStatus(out, t) },
      { header: "LAST TICK AT", value: (r) => formatTime(r.lastTickTimestamp) },
    ],
    rows.length === 0 ? `No sensors in ${ctx.file}.` : "No sensors match.",
  );
}
