import Module, { createRequire, register as registerHooks } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register as registerTsxCjs } from "tsx/cjs/api";
import { register as registerTsxEsm } from "tsx/esm/api";

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

/**
 * @internal
 * Set on `globalThis` by whoever registered tsx's ESM and CommonJS hooks in this thread already
 * (a worker thread's JavaScript entry shim), so they are not registered twice.
 */
export const TSX_REGISTERED = Symbol.for("vigil.tsxRegistered");

/** A resolve hook that adds the `vigil-source` condition (source mode only). */
const SOURCE_CONDITION_HOOK =
  "data:text/javascript," +
  encodeURIComponent(
    'export async function resolve(specifier, context, next) { return next(specifier, context.conditions.includes("vigil-source") ? context : { ...context, conditions: [...context.conditions, "vigil-source"] }); }',
  );

/** The library's main entry, as this copy runs it (`src/index.ts` or `dist/index.js`). */
const LIBRARY_ENTRY = new URL(`../index.${runningFromSource ? "ts" : "js"}`, import.meta.url);
/** Both files `require("vigil")` may resolve to, whatever the conditions. */
const LIBRARY_FILES = new Set([fileURLToPath(new URL("../src/index.ts", LIBRARY_ENTRY)), fileURLToPath(new URL("../dist/index.js", LIBRARY_ENTRY))]);

let registered = false;
let library: unknown = null;

/** The parts of Node's CommonJS `Module` the library-sharing hook patches (internal, untyped API). */
interface ModuleInternals {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
}

/**
 * @internal
 * Makes `import()` of `.ts`/`.mts`/`.cts` files work in this thread, whatever the user package's
 * module type: registers tsx's ESM and CommonJS hooks once (unless `--import tsx` or a worker shim
 * did), from source adds the `vigil-source` condition, and makes a CommonJS `require("vigil")`
 * return the library copy this thread runs (see `loadLibraryForCommonJs`).
 */
export function registerTypeScriptLoader(): void {
  if (registered) return;
  registered = true;
  const preloaded = (globalThis as Record<symbol, unknown>)[TSX_REGISTERED] === true || process.execArgv.some((a) => /tsx/.test(a));
  if (!preloaded) {
    registerTsxEsm();
    registerTsxCjs();
    (globalThis as Record<symbol, unknown>)[TSX_REGISTERED] = true;
  }
  if (runningFromSource && !process.execArgv.some((a) => a.includes("vigil-source"))) {
    registerHooks(SOURCE_CONDITION_HOOK, import.meta.url);
  }
  const internals = Module as unknown as ModuleInternals;
  const load = internals._load;
  internals._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    if (library !== null && request === "vigil") {
      try {
        if (LIBRARY_FILES.has(internals._resolveFilename(request, parent, isMain))) return library;
      } catch {
        // Unresolvable: Node's own require reports it.
      }
    }
    return load.call(this, request, parent, isMain);
  };
}

/**
 * @internal
 * Imports the library's main entry (already loaded in any Vigil process) so that a CommonJS
 * definitions module's `require("vigil")` gets this very copy, not a second one compiled to
 * CommonJS: `instanceof` and registries then work across the two.
 */
export async function loadLibraryForCommonJs(): Promise<void> {
  library ??= await import(/* @vite-ignore */ LIBRARY_ENTRY.href);
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
