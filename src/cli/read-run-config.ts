import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { InvalidArgumentError, toError } from "../errors/index.js";

/**
 * Reads a run config file (`-c config.yaml` or `.json`; YAML is a superset of JSON, so either
 * parses). Throws one sentence naming the file when it is missing, does not parse, or is not a
 * mapping.
 *
 * @example
 * const runConfig = readRunConfig("run.yaml"); // { ops: { process_file: { config: { filename: "a.csv" } } } }
 */
export function readRunConfig(file: string): Record<string, unknown> {
  const path = resolve(file);
  if (!existsSync(path)) throw new InvalidArgumentError(`Run config file "${path}" does not exist; check the path given to -c.`);
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(path, "utf8"));
  } catch (error) {
    const message = toError(error).message.split("\n")[0] ?? "";
    throw new InvalidArgumentError(`Run config file "${path}" is not valid YAML or JSON (${message.replace(/[.:]$/, "")}); fix the file.`, { cause: error });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`Run config file "${path}" holds ${Array.isArray(parsed) ? "a list" : `a ${typeof parsed}`}, not a mapping; write it as { ops: { <op>: { config: ... } } }.`);
  }
  return parsed as Record<string, unknown>;
}
