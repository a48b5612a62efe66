// The entry point of the `vigil` command (bin/vigil.js runs this file). Only cli/ touches argv,
// the TTY and exit codes (STYLE.md §1).
import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2));
// A handle left open by user code (a resource, a timer) must not keep a finished command alive.
setTimeout(() => process.exit(), 1000).unref();
