// Helpers of the CLI tests: run the real `vigil` bin (from the sources) in a temporary project.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO = fileURLToPath(new URL("../..", import.meta.url));
/** The `vigil` bin. */
export const BIN = join(REPO, "bin", "vigil.js");

/** What a finished `vigil` process printed. */
export interface VigilResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary project: a folder with package.json, node_modules/vigil (this repo) and its own VIGIL_HOME. */
export interface Project {
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Writes a file (relative to `dir`). */
  write(file: string, content: string): string;
  /** Runs `vigil args` in `dir` and waits for it. */
  vigil(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<VigilResult>;
  /** Starts `vigil args` in `dir` (for dev and daemon). */
  start(args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess;
  remove(): void;
}

/** Creates a temporary project whose files `import "vigil"` as users do. */
export function makeProject(files: Record<string, string> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), "vigil-cli-"));
  const home = join(dir, ".vigil");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "vigil"), "dir");
  symlinkSync(join(REPO, "node_modules", "zod"), join(dir, "node_modules", "zod"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cli-test", type: "module", private: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_HOME: home, VIGIL_FROM_SOURCE: "1", NO_COLOR: "1", TZ: "UTC" };
  delete env.VIGIL_PARENT_PID;
  const project: Project = {
    dir,
    home,
    env,
    write(file, content) {
      const path = join(dir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    vigil: (args, extra = {}) => runVigil(args, dir, { ...env, ...extra }),
    start: (args, extra = {}) => spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"] }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const [file, content] of Object.entries(files)) project.write(file, content);
  return project;
}

function runVigil(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<VigilResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parses a command's `--json` stdout. */
export function json<T = unknown>(result: VigilResult): T {
  return JSON.parse(result.stdout) as T;
}

/** Polls `check` every 100 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A definitions module with jobs and sensors exercising every command. */
export const TEST_DEFS = `import { z } from "zod";
import { DefaultSensorStatus, Definitions, RunRequest, SkipReason, job, op, sensor } from "vigil";

const extract = op({ name: "extract" }, () => [1, 2, 3]);
const total = op({ name: "total" }, (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
export const etl = job({ name: "etl", description: "adds numbers" }, () => total(extract()));

const explode = op({ name: "explode" }, () => {
  throw new Error("boom");
});
export const fails = job({ name: "fails" }, () => explode());

const greet = op({ name: "greet", config: z.object({ name: z.string() }) }, (context) => {
  context.log.info("hello " + context.opConfig.name);
});
export const greeting = job({ name: "greeting" }, () => {
  greet();
});

/** Requests run key key-<cursor> and moves the cursor on by one. */
const counter = sensor({ name: "counter", job: greeting, minimumIntervalSeconds: 45 }, (context) => {
  const n = Number(context.cursor ?? 0);
  context.updateCursor(String(n + 1));
  return new RunRequest({ runKey: "key-" + n, runConfig: { ops: { greet: { config: { name: "n" + n } } } }, tags: { n: String(n) } });
});
const skipper = sensor({ name: "skipper", job: etl }, () => new SkipReason("nothing to do"));
const alwaysOn = sensor({ name: "always_on", job: etl, defaultStatus: DefaultSensorStatus.RUNNING }, () => new SkipReason("idle"));
const thrower = sensor({ name: "thrower", job: etl }, () => {
  throw new Error("sensor boom");
});

export default new Definitions({ jobs: [etl, fails, greeting], sensors: [counter, skipper, alwaysOn, thrower] });
`;
