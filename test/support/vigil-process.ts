// Starts the `vigil` CLI as ONE OS process (from the TypeScript sources, the way the bin does in a
// fresh clone, but without the bin's forwarding parent), so a test can SIGKILL it by its own pid;
// optionally inside its own PID (and network) namespace, standing in for another host.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(REPO, "src", "cli", "main.ts");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** A started CLI process and what it printed so far. */
export interface VigilProcess {
  child: ChildProcess;
  /** The pid of the node process running the CLI (inside a namespace: its pid as this process sees it). */
  pid(): number;
  output(): string;
  /** Resolves with the exit code (or signal name) once it ends. */
  exited: Promise<number | string>;
}

/**
 * Where a namespace is wanted: `pid` (own PID namespace), `pid+net` (and own network, loopback
 * only), or `{ netns, hostname }`: inside the named network namespace (`ip netns`), with its own
 * PID and UTS namespaces and that host name — another machine, as far as the process can tell.
 */
export type Namespaces = "none" | "pid" | "pid+net" | { netns: string; hostname: string };

/** The command line that runs `vigil args` from the sources in one node process. */
export function vigilNodeCommand(args: readonly string[]): string[] {
  return [process.execPath, "--conditions=vigil-source", "--import", TSX, MAIN, ...args];
}

function commandFor(node: string[], ns: Namespaces): string[] {
  if (ns === "none") return node;
  if (typeof ns === "object") {
    const script = `hostname ${ns.hostname} && exec "$@"`;
    return ["ip", "netns", "exec", ns.netns, "unshare", "--pid", "--uts", "--fork", "--kill-child", "sh", "-c", script, "sh", ...node];
  }
  return ["unshare", "--pid", ...(ns === "pid+net" ? ["--net"] : []), "--fork", "--kill-child", ...node];
}

/** Starts `vigil args` in `cwd` with `env`. */
export function startVigil(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; namespaces?: Namespaces }): VigilProcess {
  const ns = options.namespaces ?? "none";
  const command = commandFor(vigilNodeCommand(args), ns);
  const env = { ...options.env };
  delete env.VIGIL_PARENT_PID;
  const child = spawn(command[0] ?? "", command.slice(1), { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    pid: () => (ns === "none" ? (child.pid ?? 0) : childPidOf(child.pid ?? 0)),
    output: () => output,
    exited,
  };
}

/** The (first) child of `pid`: the process `unshare --fork` started in the new namespace. */
function childPidOf(pid: number): number {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    return Number(children[0] ?? 0);
  } catch {
    return 0;
  }
}

/** True when this machine lets the tests create PID and network namespaces (root, util-linux unshare). */
export function namespacesAvailable(): boolean {
  const probe = spawnSync("unshare", ["--pid", "--net", "--fork", "true"], { stdio: "ignore" });
  return probe.status === 0;
}

/**
 * Where namespaces are refused, a test that needs them is skipped with a loud notice; with CI=true
 * it fails instead (CI runs as root and must run them).
 */
export function requireNamespaces(what: string): boolean {
  if (namespacesAvailable()) return true;
  if (process.env.CI === "true") throw new Error(`CI=true but this machine refuses "unshare --pid --net --fork"; ${what} must run in CI.`);
  process.stderr.write(`\n*** unshare --pid --net is refused here: ${what} is SKIPPED. Run as root to include it. ***\n\n`);
  return false;
}

/** Sends SIGKILL to `pid` (never by name). Returns false when there was no such process (it had exited). */
export function kill9(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, "SIGKILL");
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}
