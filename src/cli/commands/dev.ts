import { spawn, type ChildProcess } from "node:child_process";
import { dirname, resolve } from "node:path";
import type { CliContext } from "../cli-context.js";
import { CliFailure } from "../exit-codes.js";
import { stopRequested } from "../shutdown.js";
import { watchCodeFiles } from "../watch-files.js";
import { parsePort } from "./ui.js";

/** Options of `vigil dev`: where the web UI listens (as `vigil ui`). */
export interface DevOptions {
  host?: string;
  port?: string;
}

/**
 * `vigil dev`: the daemon and the web UI for local development. It runs `vigil daemon` and
 * `vigil ui` in child processes and, when a code file next to the definitions changes, checks the
 * new definitions in a fresh process and, if they load, restarts both on them; if they do not, it
 * says so and keeps the last good ones running. A fresh process per load means every changed
 * module is re-read (an ESM import cache cannot be emptied). Ctrl-C stops both cleanly, then exits.
 */
export async function devCommand(ctx: CliContext, options: DevOptions = {}): Promise<void> {
  const { out } = ctx;
  const modulePath = resolve(ctx.file);
  const port = String(parsePort(options.port));
  const uiArgs = ["ui", "-f", modulePath, "--host", options.host ?? "127.0.0.1", "--port", port];
  const stop = stopRequested((t) => out.note(t));
  out.line(`Vigil dev: definitions ${modulePath}`);
  const stopping = new WeakSet<ChildProcess>();
  let crashed: (code: number | null) => void = () => undefined;
  const crash = new Promise<number | null>((r) => (crashed = r));
  const startChild = (args: string[]) => {
    const child = cliChild(args);
    child.once("exit", (code) => {
      if (!stopping.has(child)) crashed(code);
    });
    return child;
  };
  const stopBoth = (children: { daemon: ChildProcess; ui: ChildProcess }) => {
    stopping.add(children.daemon);
    stopping.add(children.ui);
    return Promise.all([stopChild(children.daemon), stopChild(children.ui)]);
  };
  const startBoth = () => ({ daemon: startChild(["daemon", "-f", modulePath]), ui: startChild(uiArgs) });
  let daemon = startBoth();
  let reloading: Promise<void> = Promise.resolve();
  let pending = false;
  const reload = (file: string) => {
    if (pending) return;
    pending = true;
    reloading = reloading.then(async () => {
      pending = false;
      out.line(`${file} changed; loading the definitions again...`);
      const code = await exitOf(cliChild(["check-definitions", "-f", modulePath]));
      if (code !== 0) {
        out.line(`The new definitions did not load (see above); the daemon keeps running the last good ones. Fix the file and save it again.`);
        return;
      }
      await stopBoth(daemon);
      daemon = startBoth();
    });
  };
  const watcher = watchCodeFiles(dirname(modulePath), reload);
  try {
    const exited = await Promise.race([crash.then((code) => ({ code })), stop.promise.then(() => null)]);
    // The daemon has printed why (e.g. definitions that do not load): exit 1 without a second message.
    if (exited !== null) throw new CliFailure(exited.code === 1 ? "" : `The daemon or the UI stopped unexpectedly (exit code ${String(exited.code)}); see the messages above.`);
    out.line("Stopping...");
  } finally {
    watcher.close();
    await reloading.catch(() => undefined);
    await stopBoth(daemon);
    stop.dispose();
  }
  out.line("Stopped.");
}

/** A child `vigil` process running the same CLI entry with the same node flags (tsx from source). */
function cliChild(args: string[]): ChildProcess {
  const entry = process.argv[1] ?? "";
  return spawn(process.execPath, [...process.execArgv, entry, ...args], { stdio: "inherit", env: { ...process.env, VIGIL_PARENT_PID: String(process.pid) } });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once("exit", (code) => r(code)));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = exitOf(child);
  child.kill("SIGTERM");
  await exited;
}
