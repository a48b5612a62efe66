import { Command, Option } from "commander";
import { DEFAULT_DEFINITIONS_FILE, withContext } from "./cli-context.js";
import { daemonCommand } from "./commands/daemon.js";
import { devCommand, type DevOptions } from "./commands/dev.js";
import { initCommand } from "./commands/init.js";
import { jobExecute } from "./commands/job-execute.js";
import { jobList } from "./commands/job-list.js";
import { runCancel } from "./commands/run-cancel.js";
import { parseLimit, parseStatuses, runList } from "./commands/run-list.js";
import { runLogs } from "./commands/run-logs.js";
import { runShow } from "./commands/run-show.js";
import { sensorList } from "./commands/sensor-list.js";
import { sensorPreview } from "./commands/sensor-preview.js";
import { sensorCursor, sensorStartStop } from "./commands/sensor-state.js";
import { statusCommand } from "./commands/status.js";
import { workerCommand, type WorkerCommandOptions } from "./commands/worker.js";
import { uiCommand, type UiCommandOptions } from "./commands/ui.js";

/**
 * Adds the options every command takes (`-f FILE`, `--json`), so they may stand anywhere after
 * `vigil`: commander reads a command's options, and `optsWithGlobals()` merges its ancestors'.
 * No default here: a default on an inner command would hide a value given to an outer one.
 */
function withGlobalOptions(command: Command): Command {
  return command
    .addOption(new Option("-f, --file <file>", `the definitions module (.ts or .js; default ${DEFAULT_DEFINITIONS_FILE})`))
    .addOption(new Option("--json", "print JSON for scripts instead of tables"));
}

/** A subcommand with the global options and an action that gets a `CliContext`. */
function leaf(parent: Command, spec: string, description: string): Command {
  return withGlobalOptions(parent.command(spec).description(description));
}

/**
 * The `vigil` program (SPEC §2). Parsing errors are thrown as `CommanderError`s (`exitOverride`);
 * `runCli` turns them into exit codes.
 */
export function buildProgram(version: string): Command {
  const program = new Command("vigil")
    .description("Vigil: sensors that launch job runs from external state.")
    .version(version, "-V, --version")
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true);
  withGlobalOptions(program);

  leaf(program, "dev", "run the daemon and the web UI, reloading definitions when files change")
    .option("--host <host>", "address the UI binds (default 127.0.0.1)")
    .option("--port <port>", "port the UI listens on (default 3000; 0 picks a free one)")
    .action((o: DevOptions, cmd: Command) => withContext(cmd, (ctx) => devCommand(ctx, o)));
  leaf(program, "ui", "serve the web UI (no daemon); binding beyond 127.0.0.1 needs VIGIL_AUTH_TOKEN")
    .option("--host <host>", "address to bind (default 127.0.0.1)")
    .option("--port <port>", "port to listen on (default 3000; 0 picks a free one)")
    .option("--read-only", "hide and refuse every mutation (and previews, which run sensor code)")
    .option("--allow-preview", "with --read-only, still allow sensor previews")
    .action((o: UiCommandOptions, cmd: Command) => withContext(cmd, (ctx) => uiCommand(ctx, o)));
  leaf(program, "daemon", "run the sensor daemon in the foreground (any number on PostgreSQL; one per SQLite instance)")
    .option("--standby", "on SQLite, wait while another daemon serves the instance and take over when it stops")
    .action((o: { standby?: boolean }, cmd: Command) => withContext(cmd, (ctx) => daemonCommand(ctx, o)));
  leaf(program, "worker", "take runs from the work queue (runLauncher: queue on PostgreSQL) and execute them; any number, on any host")
    .option("--concurrency <n>", "runs executed at once (default worker.concurrency of vigil.yaml, 4)")
    .option("--queue <names>", "work queues to take runs from, comma-separated (default: default)")
    .action((o: WorkerCommandOptions, cmd: Command) => withContext(cmd, (ctx) => workerCommand(ctx, o)));
  leaf(program, "status", "live daemons and the sensors they own, processes executing runs, runs queued and in flight").action((_o, cmd: Command) =>
    withContext(cmd, statusCommand),
  );
  leaf(program, "init [dir]", "scaffold a new project (package.json, defs.ts with a job and a sensor, a test)").action(
    (dir: string | undefined, _o, cmd: Command) => withContext(cmd, async (ctx) => initCommand(ctx, dir)),
  );
  // Loads the definitions and exits: what `vigil dev` runs before restarting the daemon.
  withGlobalOptions(program.command("check-definitions", { hidden: true }))
    .description("load the definitions module and exit")
    .action((_o, cmd: Command) => withContext(cmd, async (ctx) => void (await ctx.definitions())));

  const sensor = withGlobalOptions(program.command("sensor").description("list, start, stop, preview sensors and edit their cursors"));
  leaf(sensor, "list", "name, status, interval, last tick status and time of every sensor")
    .option("--running", "only running sensors")
    .option("--stopped", "only stopped sensors")
    .action((o: { running?: boolean; stopped?: boolean }, cmd: Command) => withContext(cmd, (ctx) => sensorList(ctx, o)));
  leaf(sensor, "start <name>", "start a sensor (stored; overrides its default status)").action((name: string, _o, cmd: Command) =>
    withContext(cmd, (ctx) => sensorStartStop(ctx, name, "start")),
  );
  leaf(sensor, "stop <name>", "stop a sensor (stored; overrides its default status)").action((name: string, _o, cmd: Command) =>
    withContext(cmd, (ctx) => sensorStartStop(ctx, name, "stop")),
  );
  leaf(sensor, "preview <name>", "evaluate a sensor once and print what it would do; stores and launches nothing")
    .option("--cursor <cursor>", "evaluate with this cursor instead of the stored one")
    .option("--since <ms>", "the last tick completion time to evaluate with (ms since the epoch)")
    .option("--last-run-key <key>", "the last run key to evaluate with")
    .action((name: string, o: { cursor?: string; since?: string; lastRunKey?: string }, cmd: Command) => withContext(cmd, (ctx) => sensorPreview(ctx, name, o)));
  leaf(sensor, "cursor <name>", "set (--set C) or clear (--delete) a sensor's stored cursor")
    .option("--set <cursor>", "the new cursor")
    .option("--delete", "clear the cursor")
    .action((name: string, o: { set?: string; delete?: boolean }, cmd: Command) => withContext(cmd, (ctx) => sensorCursor(ctx, name, o)));

  const job = withGlobalOptions(program.command("job").description("list jobs and execute one now"));
  leaf(job, "list", "the jobs, their ops and the sensors that target them").action((_o, cmd: Command) => withContext(cmd, jobList));
  leaf(job, "execute <name>", "run a job now in this process, showing step progress")
    .option("-c, --config <file>", "run config as YAML or JSON")
    .action((name: string, o: { config?: string }, cmd: Command) => withContext(cmd, (ctx) => jobExecute(ctx, name, o)));

  const run = withGlobalOptions(program.command("run").description("list runs, show one with its event log, cancel one"));
  leaf(run, "list", "runs, newest first")
    .option("--status <statuses>", "only runs in these statuses (comma-separated)", parseStatuses)
    .option("--job <name>", "only runs of this job")
    .option("--sensor <name>", "only runs launched by this sensor")
    .option("--limit <n>", "at most this many runs (default 50)", parseLimit)
    .action((o: Parameters<typeof runList>[1], cmd: Command) => withContext(cmd, (ctx) => runList(ctx, o)));
  leaf(run, "show <id>", "a run and its event log").action((id: string, _o, cmd: Command) => withContext(cmd, (ctx) => runShow(ctx, id)));
  leaf(run, "logs <id>", "what a run printed (stdout and stderr), wherever it executed").action((id: string, _o, cmd: Command) => withContext(cmd, (ctx) => runLogs(ctx, id)));
  leaf(run, "cancel <id>", "cancel a queued or running run")
    .option("--force", "mark a starting or running run CANCELED at once, whatever its worker does")
    .action((id: string, o: { force?: boolean }, cmd: Command) => withContext(cmd, (ctx) => runCancel(ctx, id, o)));
  return program;
}
