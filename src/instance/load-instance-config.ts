import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { InstanceConfigError } from "../errors/index.js";
import { compileInstanceConfig, type CompiledInstanceConfig } from "./instance-config.js";

/** The name of the instance config file inside the home folder. */
export const INSTANCE_CONFIG_FILE = "vigil.yaml";

/** The home folder: the argument, else `$VIGIL_HOME`, else `./.vigil`, as an absolute path. */
export function resolveHome(home: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(home ?? (env.VIGIL_HOME || ".vigil"));
}

/**
 * Reads and validates `<home>/vigil.yaml`; a missing file means every default (SQLite at
 * `<home>/vigil.db`). Throws `InstanceConfigError` naming the file, the key and what is allowed.
 */
export function loadInstanceConfig(home: string, env: NodeJS.ProcessEnv = process.env): CompiledInstanceConfig {
  const file = join(home, INSTANCE_CONFIG_FILE);
  let raw: unknown = {};
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8");
    try {
      raw = parseYaml(text) ?? {};
    } catch (error) {
      const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : "";
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new InstanceConfigError(`${file} is not valid YAML${where}: ${reason}; fix the syntax.`, { cause: error });
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new InstanceConfigError(`${file} must be a YAML mapping of settings (storage, runLauncher, subprocessLauncher, runCoordinator, sensors, daemon, worker, queueLauncher, runMonitoring, retention), not ${Array.isArray(raw) ? "a list" : JSON.stringify(raw)}.`);
    }
  }
  return compileInstanceConfig(raw, {
    file,
    home,
    env,
    resolvePath: (base, path) => (isAbsolute(path) ? path : join(base, path)),
  });
}
