import { CommanderError } from "commander";
import { toError, VigilError } from "../errors/index.js";
import { CliFailure, ExitCode, UsageError } from "./exit-codes.js";
import { packageVersion } from "./package-version.js";
import { buildProgram } from "./program.js";

/** Commander's exits that are not errors. */
const NOT_ERRORS = new Set(["commander.helpDisplayed", "commander.version"]);

/**
 * Runs `vigil` with `args` (without `node` and the script) and returns the exit code: 0 done, 1 a
 * runtime error, 2 a usage error. Errors are printed on stderr as one sentence.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(args: readonly string[]): Promise<ExitCode> {
  const program = buildProgram(packageVersion());
  try {
    await program.parseAsync([...args], { from: "user" });
    return ExitCode.OK;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      if (NOT_ERRORS.has(thrown.code)) return ExitCode.OK;
      // `vigil sensor` alone: commander has printed the group's help on stderr.
      if (thrown.code !== "commander.help" && thrown.code !== "commander.executeSubCommandAsync") process.stderr.write(`${usageSentence(thrown)}\n`);
      return ExitCode.USAGE;
    }
    if (thrown instanceof UsageError) {
      process.stderr.write(`${thrown.message}\n`);
      return ExitCode.USAGE;
    }
    const error = toError(thrown);
    if (error.message !== "") process.stderr.write(`${error.message}\n`);
    if (process.env.VIGIL_DEBUG === "1" && !(thrown instanceof CliFailure)) process.stderr.write(`${error.stack ?? ""}\n`);
    else if (!(thrown instanceof CliFailure) && !VigilError.is(thrown)) process.stderr.write("(Set VIGIL_DEBUG=1 to see the stack.)\n");
    return ExitCode.RUNTIME;
  }
}

/** Commander's message ("error: unknown command 'x'") as one sentence with what to do. */
export function usageSentence(error: CommanderError): string {
  const [first = "", ...rest] = error.message.replace(/^error: /, "").split("\n");
  const hint = rest.find((l) => l.includes("Did you mean"))?.replace(/[()]/g, "").trim();
  const sentence = first.replace(/'([^']*)'/g, '"$1"').replace(/\.$/, "");
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}${hint === undefined ? "" : ` (${hint.replace(/\?$/, "")}?)`}; run "vigil --help" to see the commands and options.`;
}
