import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { InvalidArgumentError } from "../../errors/index.js";
import type { CliContext } from "../cli-context.js";
import { packageVersion } from "../package-version.js";
import { DEFS_TEST_TS, DEFS_TS, GITIGNORE, TSCONFIG_JSON, packageJson } from "../init-template.js";

/**
 * `vigil init [dir]`: scaffolds a project in `dir` (default: the current folder): package.json
 * depending on vigil, defs.ts with a job and a sensor, defs.test.ts testing the sensor. Existing
 * files are never overwritten.
 */
export function initCommand(ctx: CliContext, dir: string | undefined): void {
  const target = resolve(dir ?? ".");
  const name = basename(target).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "") || "vigil-project";
  const files: [string, string][] = [
    ["package.json", packageJson(name, packageVersion())],
    ["defs.ts", DEFS_TS],
    ["defs.test.ts", DEFS_TEST_TS],
    ["tsconfig.json", TSCONFIG_JSON],
    [".gitignore", GITIGNORE],
  ];
  const existing = files.map(([f]) => join(target, f)).filter((f) => existsSync(f));
  if (existing.length > 0) {
    throw new InvalidArgumentError(`${existing.map((f) => `"${f}"`).join(", ")} already exist${existing.length === 1 ? "s" : ""}; run "vigil init" in an empty folder, or give a new folder: vigil init my-project.`);
  }
  mkdirSync(target, { recursive: true });
  for (const [file, content] of files) writeFileSync(join(target, file), content);
  const { out } = ctx;
  out.data({ dir: target, files: files.map(([f]) => f) });
  const cd = relative(process.cwd(), target);
  out.line(`Created a Vigil project in ${target}: ${files.map(([f]) => f).join(", ")}.`);
  out.line();
  out.line("Next:");
  if (cd !== "") out.line(`  cd ${cd}`);
  out.line("  npm install");
  out.line("  npx vigil dev        # runs inbox_sensor; drop a file into inbox/ and a greet_job run starts");
  out.line("  npm test             # tests the sensor");
}
