import { existsSync, readFileSync } from "node:fs";

/** The version of the installed vigil package (this file sits two folders below its package.json, in src/ and dist/ alike). */
export function packageVersion(): string {
  const path = new URL("../../package.json", import.meta.url);
  if (!existsSync(path)) return "0.0.0";
  const pkg = JSON.parse(readFileSync(path, "utf8")) as { name?: string; version?: string };
  return pkg.name === "vigil" && typeof pkg.version === "string" ? pkg.version : "0.0.0";
}
