#!/usr/bin/env node
// The `vigil` command. Runs the built CLI (dist/cli/main.js) when there is one; otherwise (a fresh
// clone of this repository, or VIGIL_FROM_SOURCE=1) runs the TypeScript sources: a child `node`
// with tsx and the `vigil-source` condition, so that a definitions file importing "vigil" gets the
// very library copy the CLI uses (src/index.ts), not dist/.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const built = new URL("../dist/cli/main.js", import.meta.url);
const source = new URL("../src/cli/main.ts", import.meta.url);
const fromSource = process.env.VIGIL_FROM_SOURCE === "1" || !existsSync(built);

if (!fromSource) {
  await import(built.href);
} else if (!existsSync(source)) {
  process.stderr.write(`Vigil's CLI is missing (neither ${fileURLToPath(built)} nor ${fileURLToPath(source)} exists); reinstall vigil or run "npm run build".\n`);
  process.exitCode = 1;
} else {
  // An absolute URL: a bare "tsx" would resolve from the user's cwd, which may have no tsx.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const args = [...process.execArgv, "--conditions=vigil-source", "--import", tsx, fileURLToPath(source), ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, {
    stdio: "inherit",
    // The child stops by itself if this process dies without passing a signal on (SIGKILL).
    env: { ...process.env, VIGIL_PARENT_PID: String(process.pid) },
  });
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  const forward = (signal) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  child.on("exit", (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
}
