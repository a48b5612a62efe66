import { resolve } from "node:path";
import { Daemon } from "../../daemon/daemon.js";
import type { SensorDefinition } from "../../definitions/sensor-definition.js";
import { ActivityFeed } from "../activity-feed.js";
import type { CliContext } from "../cli-context.js";
import { formatTime } from "../output.js";
import { stopRequested } from "../shutdown.js";

/**
 * `vigil daemon`: the sensor daemon in the foreground, on the definitions module `-f FILE`, against
 * `$VIGIL_HOME`, until Ctrl-C (or SIGTERM). The first iteration runs before "running" is printed,
 * so definitions that fail to load end the command with exit code 1, and so does another daemon
 * already serving a SQLite instance (unless `--standby`: then it waits to take over). Ticks in
 * flight finish before it exits, and its sensors go to the other daemons.
 */
export async function daemonCommand(ctx: CliContext, options: { standby?: boolean } = {}): Promise<void> {
  const { out } = ctx;
  const modulePath = resolve(ctx.file);
  const stop = stopRequested((t) => out.note(t));
  const instance = await ctx.instance();
  const daemon = new Daemon({
    instance,
    definitions: modulePath,
    standby: options.standby === true,
    log: (level, message) => out.note(`${formatTime(Date.now()).slice(11)}  ${level === "info" ? "" : `${level}: `}${message}`),
  });
  let feed: ActivityFeed | null = null;
  try {
    // Loads the module: its errors (naming the file) end the command here.
    const definitions = await ctx.definitions();
    const sensors = () => definitions.sensors as unknown as readonly SensorDefinition[];
    feed = await ActivityFeed.start(instance, sensors, out);
    await daemon.runIteration();
    daemon.start();
    const running = sensors().length;
    out.line(`Vigil daemon running: ${running} sensor(s) from ${modulePath}, instance at ${instance.home ?? "(ephemeral)"} (${instance.config.storage.kind}).`);
    out.line(out.style("dim", "Press Ctrl-C to stop."));
    await stop.promise;
    out.line("Stopping the daemon (ticks in flight finish first)...");
  } finally {
    await daemon.close();
    await feed?.stop();
    stop.dispose();
  }
  out.line("Daemon stopped.");
}
