import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/** A storage test's child process: says "ready" once its storage is open, waits for "go", prints its result as its last line. */
export interface StorageChild<T> {
  child: ChildProcessWithoutNullStreams;
  /** Resolves once the child said "ready". */
  ready: Promise<void>;
  /** Resolves with the child's result (its last stdout line, as JSON); rejects with its stderr if it failed. */
  exited: Promise<T>;
  /** Tells the child to start. */
  go(): void;
}

/** Starts `script` (TypeScript, run through tsx from Vigil's sources) with `job` as its JSON argument. */
export function startStorageChild<T>(script: string, name: string, job: unknown): StorageChild<T> {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=vigil-source", script, JSON.stringify(job)], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const output: string[] = [];
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => lines.on("line", (l) => (output.push(l), l === "ready" && resolve())));
  const exited = once(child, "exit").then(([code]) => {
    if (code !== 0) throw new Error(`${name} exited with ${String(code)}: ${stderr}`);
    return JSON.parse(output.at(-1) ?? "{}") as T;
  });
  return { child, ready, exited, go: () => child.stdin.write("go\n") };
}
