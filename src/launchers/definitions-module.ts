import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Definitions } from "../definitions/definitions.js";
import { DefinitionError, toError } from "../errors/index.js";
import { loadLibraryForCommonJs, registerTypeScriptLoader } from "./module-loader.js";

let loadCount = 0;


/**
 * Loads a definitions module (`.ts`, `.mts`, `.cts`, `.js` or `.cjs`; ES module or CommonJS, as its
 * package.json says) as its author wrote it, with tsx, and returns
 * the `Definitions` it exports as its default export or as `defs`. Each call re-evaluates the
 * module (a `?v=` query busts the ESM cache), so a changed file is picked up; modules it imports
 * stay cached. Every failure is one `DefinitionError` naming the file and the problem.
 * A CommonJS module's `require("vigil")` gets the caller's copy of the library.
 * `options.registerLoader: false` is accepted for compatibility: tsx is registered once per thread
 * in any case (not twice when a worker shim or `--import tsx` did).
 *
 * @example
 * const defs = await loadDefinitionsModule("./defs.ts");
 * defs.getJob("etl");
 */
export async function loadDefinitionsModule(file: string, options: { registerLoader?: boolean } = {}): Promise<Definitions> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new DefinitionError(`Definitions module "${path}" does not exist; check the path (relative paths are resolved from ${process.cwd()}).`);
  }
  if (!statSync(path).isFile()) {
    throw new DefinitionError(`Definitions module "${path}" is not a file; give the path of a .ts or .js module.`);
  }
  void options;
  registerTypeScriptLoader();
  await loadLibraryForCommonJs();
  let exports: Record<string, unknown>;
  try {
    exports = (await import(/* @vite-ignore */ `${pathToFileURL(path).href}?v=${++loadCount}`)) as Record<string, unknown>;
  } catch (thrown) {
    throw loadFailure(path, thrown);
  }
  // A CommonJS module (tsx compiles `export default` to `exports.default`) arrives as `default`.
  const cjs = typeof exports.default === "object" && exports.default !== null ? (exports.default as Record<string, unknown>) : {};
  const found = [exports.default, exports.defs, cjs.default, cjs.defs].find(isDefinitions);
  if (found === undefined) {
    const names = Object.keys(exports).sort();
    throw new DefinitionError(
      `Definitions module "${path}" exports no Definitions (it exports ${names.length > 0 ? names.map((n) => `"${n}"`).join(", ") : "nothing"}); export one as the default export or as "defs".`,
    );
  }
  return found;
}

/**
 * True for a `Definitions`, also one built by a second copy of the library (the user's module may
 * resolve `"vigil"` to other files than the caller's): `instanceof` first, then its shape.
 */
export function isDefinitions(value: unknown): value is Definitions {
  if (value instanceof Definitions) return true;
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.constructor?.name === "Definitions" &&
    typeof v.name === "string" &&
    Array.isArray(v.jobs) &&
    Array.isArray(v.sensors) &&
    typeof v.getJob === "function" &&
    typeof v.getSensor === "function"
  );
}

/** One sentence for whatever importing the module threw. */
function loadFailure(path: string, thrown: unknown): DefinitionError {
  const error = toError(thrown);
  const code = (error as { code?: unknown }).code;
  if (error.name === "TransformError") {
    // esbuild (via tsx): "Transform failed with 1 error:\n/abs/file.ts:2:18: ERROR: Unexpected ";"".
    const problems = error.message
      .split("\n")
      .slice(1)
      .map((line) => line.replace(": ERROR: ", ": "))
      .filter((line) => line.trim().length > 0);
    return new DefinitionError(`Definitions module "${path}" does not compile: ${problems.join("; ")}; fix the code and load it again.`, { cause: error });
  }
  if (error.name === "SyntaxError") {
    const where = syntaxErrorLocation(path);
    return new DefinitionError(`Definitions module "${path}" does not compile: ${where === null ? "" : `${where}: `}${error.message}; fix the code and load it again.`, {
      cause: error,
    });
  }
  if (code === "ERR_REQUIRE_CYCLE_MODULE" || code === "ERR_REQUIRE_ESM") {
    return new DefinitionError(
      `Definitions module "${path}" was loaded as CommonJS and could not import ES modules (${error.message}); add "type": "module" to the nearest package.json or rename it to .mts.`,
      { cause: error },
    );
  }
  if (code === "ERR_MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED") {
    return new DefinitionError(`Definitions module "${path}" imports a module that cannot be found: ${error.message}; install it or fix the import.`, { cause: error });
  }
  return new DefinitionError(`Definitions module "${path}" threw while loading: ${error.message}`, { cause: error });
}

/**
 * Node's SyntaxError for a `.js` module carries no position; `node --check` prints `file:line` and
 * a caret under the column. Only the top file is checked (a dependency's error keeps no position).
 */
function syntaxErrorLocation(path: string): string | null {
  const result = spawnSync(process.execPath, ["--check", path], { encoding: "utf8", timeout: 10_000 });
  const lines = (result.stderr ?? "").split("\n");
  const header = lines.findIndex((l) => l.startsWith(`${path}:`));
  if (header === -1) return null;
  const caret = lines[header + 2]?.indexOf("^") ?? -1;
  return caret === -1 ? lines[header] ?? null : `${lines[header]}:${caret + 1}`;
}
