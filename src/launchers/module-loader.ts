import { createRequire, register as registerHooks } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register as registerTsx } from "tsx/esm/api";

/**
 * @internal
 * True when this package runs from its TypeScript sources (this repo, under tsx or vitest) rather
 * than from `dist/`. Then `import "vigil"` must resolve with the `vigil-source` condition, to the
 * very files already loaded, so user code and Vigil share one copy of the library.
 */
export const runningFromSource: boolean = fileURLToPath(import.meta.url).endsWith(".ts");

const require = createRequire(import.meta.url);

/**
 * @internal
 * The absolute URL of tsx's loader, for `--import`: a bare `tsx` would resolve from the user's cwd,
 * which may have no tsx.
 */
export const tsxLoaderUrl: string = pathToFileURL(require.resolve("tsx")).href;

/** A resolve hook that adds the `vigil-source` condition (source mode only). */
const SOURCE_CONDITION_HOOK =
  "data:text/javascript," +
  encodeURIComponent(
    'export async function resolve(specifier, context, next) { return next(specifier, context.conditions.includes("vigil-source") ? context : { ...context, conditions: [...context.conditions, "vigil-source"] }); }',
  );

let registered = false;

/**
 * @internal
 * Makes `import()` of `.ts`/`.mts`/`.cts` files work in this process: registers tsx's ESM hooks
 * once per process (and, from source, the `vigil-source` condition).
 */
export function registerTypeScriptLoader(): void {
  if (registered) return;
  registered = true;
  registerTsx();
  if (runningFromSource && !process.execArgv.some((a) => a.includes("vigil-source"))) {
    registerHooks(SOURCE_CONDITION_HOOK, import.meta.url);
  }
}

/**
 * @internal
 * The `node` flags a worker process (or thread) needs to run a Vigil entry point: from source,
 * `--conditions=vigil-source` and tsx (the entry itself is `.ts`); from `dist/`, nothing.
 */
export function childExecArgv(): string[] {
  return runningFromSource ? ["--conditions=vigil-source", "--import", tsxLoaderUrl] : [];
}

/**
 * @internal
 * The URL of a sibling entry point of the calling module, `.ts` from source and `.js` from `dist/`.
 */
export function siblingEntry(baseUrl: string, name: string): string {
  return fileURLToPath(new URL(`./${name}${runningFromSource ? ".ts" : ".js"}`, baseUrl));
}
