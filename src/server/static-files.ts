import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "hono";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".woff2": "font/woff2",
};

/** The built UI shipped in the package: `dist/ui` (from `dist/server/` or from `src/server/`). */
export function defaultUiDir(): string | null {
  for (const rel of ["../ui/", "../../dist/ui/"]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  return null;
}

/**
 * Serves a file of `root` for a GET path, or `index.html` for `/`. The decoded path is resolved
 * and must stay inside `root`: `..`, encoded separators, NUL bytes and absolute paths get 404.
 */
export async function serveStatic(c: Context, root: string): Promise<Response> {
  const base = resolve(root);
  let path: string;
  try {
    path = decodeURIComponent(new URL(c.req.url).pathname);
  } catch {
    return c.json({ error: "Malformed path." }, 400);
  }
  if (path === "/" || path === "") path = "/index.html";
  const notFound = () => c.json({ error: `No file ${JSON.stringify(path)} in the UI.` }, 404);
  if (path.includes("\0") || path.includes("\\") || path.split("/").some((s) => s === "..")) return notFound();
  const file = resolve(base, `.${path}`);
  if (!file.startsWith(base + sep)) return notFound();
  const info = await stat(file).catch(() => null);
  if (info === null || !info.isFile()) return notFound();
  const type = TYPES[extname(file)] ?? "application/octet-stream";
  const cache = path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
  return c.body(await readFile(file), 200, { "content-type": type, "cache-control": cache, "x-content-type-options": "nosniff" });
}
