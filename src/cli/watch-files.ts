import { watch, readdirSync, type FSWatcher } from "node:fs";
import { extname, join } from "node:path";

/** Files whose change reloads definitions: code and JSON, not data files a sensor may watch. */
const CODE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".json"]);
const SKIPPED_DIRS = new Set(["node_modules", "dist", "coverage"]);
const MAX_DEPTH = 4;
const MAX_DIRS = 500;

/**
 * Watches the code files under `root` (folders to depth 4, skipping `node_modules`, `dist` and
 * dot-folders) and calls `onChange` with a changed file, debounced by `debounceMs`. Each folder gets
 * its own non-recursive watcher, so a project's `node_modules` is never walked.
 *
 * @example
 * const watcher = watchCodeFiles(dirname(defsPath), (file) => reload(file));
 * watcher.close();
 */
export function watchCodeFiles(root: string, onChange: (file: string) => void, debounceMs = 300): { close(): void } {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  let changed = "";
  for (const dir of folders(root)) {
    try {
      const watcher = watch(dir, (_event, name) => {
        if (name === null || !CODE_EXTENSIONS.has(extname(name))) return;
        changed = join(dir, name);
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(() => onChange(changed), debounceMs);
      });
      watcher.on("error", () => undefined);
      watchers.push(watcher);
    } catch {
      // A folder that vanished or cannot be watched is skipped.
    }
  }
  return {
    close() {
      if (timer !== null) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

function folders(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (found.length >= MAX_DIRS) return;
    found.push(dir);
    if (depth >= MAX_DEPTH) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith(".") && !SKIPPED_DIRS.has(e.name)) walk(join(dir, e.name), depth + 1);
    }
  };
  walk(root, 0);
  return found;
}
