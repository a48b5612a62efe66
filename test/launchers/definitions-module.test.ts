import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isDefinitions, loadDefinitionsModule } from "../../src/launchers/definitions-module.js";
import { childExecArgv } from "../../src/launchers/module-loader.js";
import { DEFS_SOURCE, TempProject } from "./support.js";
import { ModuleKindsProject } from "../daemon/module-kinds.js";

type LoadResult = { jobs: string[]; sameLibrary: boolean } | { message: string; code: unknown };

/**
 * Loads modules in a plain Node process, as the CLI and run workers do (inside vitest, vite
 * would load them instead, with its own error messages). One process for several files.
 */
function loadInNode(...files: string[]): LoadResult[] {
  const out = execFileSync(process.execPath, [...childExecArgv(), join(import.meta.dirname, "load-definitions-child.ts"), ...files], { encoding: "utf8" });
  return out.trim().split("\n").map((line) => JSON.parse(line) as LoadResult);
}

async function loadError(file: string): Promise<{ message: string; code: unknown }> {
  const [result] = loadInNode(file);
  if (result === undefined || "jobs" in result) throw new Error(`expected loading ${file} to fail`);
  return result;
}

describe("loadDefinitionsModule", () => {
  it("loads a module in a plain Node process, sharing that process's copy of the library", () => {
    using project = new TempProject();
    expect(loadInNode(project.write("defs.ts", DEFS_SOURCE))).toEqual([{ jobs: ["hello_job", "failing_job", "sleepy_job"], sameLibrary: true }]);
  });

  it("loads the default export of a TypeScript module that imports vigil", async () => {
    using project = new TempProject();
    const defs = await loadDefinitionsModule(project.write("defs.ts", DEFS_SOURCE));
    expect(isDefinitions(defs)).toBe(true);
    expect(defs.jobs.map((j) => j.name)).toEqual(["hello_job", "failing_job", "sleepy_job"]);
    expect(defs.getJob("hello_job").name).toBe("hello_job");
  });

  it("loads the export named defs, and re-evaluates the module on every load", async () => {
    using project = new TempProject();
    const source = (name: string) => `import { Definitions, job, op } from "vigil";
const o = op({ name: "o" }, () => 1);
export const defs = new Definitions({ jobs: [job({ name: "${name}" }, () => { o(); })] });
`;
    const file = project.write("defs.ts", source("first"));
    expect((await loadDefinitionsModule(file)).jobs.map((j) => j.name)).toEqual(["first"]);
    project.write("defs.ts", source("second"));
    expect((await loadDefinitionsModule(file)).jobs.map((j) => j.name)).toEqual(["second"]);
  });

  it("names a missing file", async () => {
    using project = new TempProject();
    const file = `${project.dir}/nope.ts`;
    expect(await loadError(file)).toEqual({
      message: `Definitions module "${file}" does not exist; check the path (relative paths are resolved from ${process.cwd()}).`,
      code: "DEFINITION_INVALID",
    });
  });

  it("gives the compiler's file, line and column for a TypeScript syntax error", async () => {
    using project = new TempProject();
    const file = project.write("bad.ts", `import { Definitions } from "vigil";\nconst x: number = ;\nexport default new Definitions({});\n`);
    expect((await loadError(file)).message).toBe(`Definitions module "${file}" does not compile: ${file}:2:18: Unexpected ";"; fix the code and load it again.`);
  });

  it("gives the file, line and column for a JavaScript syntax error", async () => {
    using project = new TempProject();
    const file = project.write("bad.js", `const x = ;\nexport default x;\n`);
    expect((await loadError(file)).message).toBe(`Definitions module "${file}" does not compile: ${file}:1:11: Unexpected token ';'; fix the code and load it again.`);
  });

  it("gives the message a module throws while loading", async () => {
    using project = new TempProject();
    const file = project.write("throws.ts", `throw new Error("cannot reach the warehouse");\n`);
    expect((await loadError(file)).message).toBe(`Definitions module "${file}" threw while loading: cannot reach the warehouse`);
  });

  it("lists what a module exports when none of it is a Definitions", async () => {
    using project = new TempProject();
    const file = project.write("none.ts", `export const jobs = [];\nexport default { name: "not definitions" };\n`);
    expect((await loadError(file)).message).toBe(
      `Definitions module "${file}" exports no Definitions (it exports "default", "jobs"); export one as the default export or as "defs".`,
    );
    const empty = project.write("empty.ts", `export {};\n`);
    expect((await loadError(empty)).message).toBe(`Definitions module "${empty}" exports no Definitions (it exports nothing); export one as the default export or as "defs".`);
  });
});

describe("loadDefinitionsModule with every kind of module", () => {
  it("loads ES module and CommonJS .ts, .mts, .js and .cjs in a plain Node process with one copy of the library", () => {
    using project = new ModuleKindsProject();
    const results = loadInNode(...project.kinds.map((k) => k.file));
    expect(results).toEqual(project.kinds.map(() => ({ jobs: ["work_job"], sameLibrary: true })));
  });
});
