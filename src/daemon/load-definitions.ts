import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";
import { Definitions } from "../definitions/definitions.js";
import { DefinitionError, toError } from "../errors/index.js";

/** @internal True when Vigil runs from its TypeScript sources (this repo, under tsx or vitest). */
export const runningFromSource: boolean = fileURLToPath(import.meta.url).endsWith(".ts");

let registered = false;
let loads = 0;

/**
 * @internal Loads the `Definitions` a module exports (default export or `defs`), with tsx so a
 * `.ts` module loads as written. Throws one `DefinitionError` naming the file and the cause.
 */
export async function loadDefinitions(file: string, options: { registerTsx?: boolean } = {}): Promise<Definitions> {
  const path = resolve(file);
  if (!existsSync(path)) throw new DefinitionError(`Definitions module "${path}" does not exist; check the path given to the daemon.`);
  if (!registered && options.registerTsx !== false) {
    registered = true;
    register();
  }
  let exports: Record<string, unknown>;
  try {
    // The query makes a reload re-evaluate a changed module.
    exports = (await import(`${pathToFileURL(path).href}?load=${++loads}`)) as Record<string, unknown>;
  } catch (thrown) {
    const cause = toError(thrown);
    throw new DefinitionError(`Definitions module "${path}" failed to load (${cause.message}); fix the module and the daemon will load it again.`, { cause });
  }
  const found = [exports.default, exports.defs].find((v): v is Definitions => v instanceof Definitions || (typeof v === "object" && v !== null && v.constructor.name === "Definitions"));
  if (found === undefined) {
    throw new DefinitionError(`Definitions module "${path}" exports no Definitions; export one as the default export or as "defs".`);
  }
  return found;
}
