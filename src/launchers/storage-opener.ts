import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError } from "../errors/index.js";
import type { Storage } from "../storage/storage.js";

/** JSON data, as it crosses into a worker process. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * How a worker process reaches the instance's storage: `await import(module)[exportName](options)`.
 * Only the instance layer chooses a dialect, so it builds this (e.g. the URL of
 * `storage/dialects/sqlite.js`, `"openSqliteStorage"`, `{ path }`); launchers stay dialect-free.
 *
 * @example
 * { module: new URL("../storage/dialects/sqlite.js", import.meta.url).href, exportName: "openSqliteStorage", options: { path } }
 */
export interface StorageOpener {
  /** An absolute `file:` URL. `.js` may name a `.ts` source file when running from source. */
  module: string;
  exportName: string;
  options: { [key: string]: JsonValue };
}

/** @internal Opens the storage an opener describes (in a worker process). */
export async function openStorageWith(opener: StorageOpener): Promise<Storage> {
  const loaded = (await import(sourceFallback(opener.module))) as Record<string, unknown>;
  const open = loaded[opener.exportName];
  if (typeof open !== "function") {
    throw new InvalidArgumentError(`Storage opener module ${opener.module} has no function "${opener.exportName}"; pass the name of the function that opens the storage.`);
  }
  return (await (open as (options: unknown) => Promise<Storage>)(opener.options)) as Storage;
}

/** From source, `x.js` exists only as `x.ts`: import that instead. */
function sourceFallback(url: string): string {
  if (!url.startsWith("file:") || !url.endsWith(".js")) return url;
  const path = fileURLToPath(url);
  return !existsSync(path) && existsSync(path.replace(/\.js$/, ".ts")) ? url.replace(/\.js$/, ".ts") : url;
}
