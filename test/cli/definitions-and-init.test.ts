// Black-box tests: definitions modules that do not load, options anywhere, and `vigil init`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { makeProject, REPO, type Project } from "./support.js";

describe("loading definitions", () => {
  let project: Project;
  beforeAll(() => {
    project = makeProject({
      "broken.ts": 'import { Definitions } from "vigil";\nconst x: number = ;\nexport default new Definitions({});\n',
      "throws.ts": 'throw new Error("no database here");\n',
      "nothing.ts": "export const answer = 42;\n",
      "plain.mjs": 'import { Definitions, job, op } from "vigil";\nconst hi = op({ name: "hi" }, () => "hi");\nexport const defs = new Definitions({ jobs: [job({ name: "hello" }, () => hi())] });\n',
    });
  });
  afterAll(() => project.remove());

  it("names the missing default ./defs.ts and exits 1", async () => {
    const result = await project.vigil(["sensor", "list"]);
    expect(result).toMatchObject({
      code: 1,
      stdout: "",
      stderr: `Definitions module "${project.dir}/defs.ts" does not exist; check the path (relative paths are resolved from ${project.dir}).\n`,
    });
  });

  it("gives the compiler's file:line for a syntax error, and names the file for a module that throws or exports no Definitions", async () => {
    const broken = await project.vigil(["job", "list", "-f", "broken.ts"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(new RegExp(`^Definitions module "${project.dir}/broken\\.ts" does not compile: ${project.dir}/broken\\.ts:2:\\d+: .+; fix the code and load it again\\.\\n$`));
    const throws = await project.vigil(["job", "list", "-f", "throws.ts"]);
    expect(throws).toMatchObject({ code: 1, stderr: `Definitions module "${project.dir}/throws.ts" threw while loading: no database here\n` });
    const nothing = await project.vigil(["--file", "nothing.ts", "job", "list"]);
    expect(nothing).toMatchObject({
      code: 1,
      stderr: `Definitions module "${project.dir}/nothing.ts" exports no Definitions (it exports "answer"); export one as the default export or as "defs".\n`,
    });
  });

  it("loads a JavaScript module exporting defs, with options before and after the command", async () => {
    const result = await project.vigil(["--json", "job", "list", "-f", "plain.mjs"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ name: "hello", description: null, tags: {}, ops: ["hi"], sensors: [] }]);
  });
});

describe("vigil init", () => {
  let project: Project;
  beforeAll(() => {
    project = makeProject();
  });
  afterAll(() => project.remove());

  it("scaffolds a project whose sensor previews, refuses to overwrite it, and whose own test passes", async () => {
    const created = await project.vigil(["init", "my-app"]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created a Vigil project in ${project.dir}/my-app: package.json, defs.ts, defs.test.ts, tsconfig.json, .gitignore.`);
    const app = join(project.dir, "my-app");
    const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { name: string; dependencies: Record<string, string> };
    expect(pkg).toMatchObject({ name: "my-app", dependencies: { vigil: "^0.1.0" } });

    const again = await project.vigil(["init", "my-app"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^".*my-app\/package\.json", .* already exist; run "vigil init" in an empty folder/);

    project.write("my-app/inbox/hello.txt", "hi");
    project.write("my-app/node_modules/.keep", "");
    const preview = await project.vigil(["sensor", "preview", "inbox_sensor", "-f", "my-app/defs.ts", "--json"]);
    expect(JSON.parse(preview.stdout)).toMatchObject({ runRequests: [{ runKey: "hello.txt", jobName: "greet_job" }] });

    // The scaffolded test, run by vitest with "vigil" linked to this repository's sources.
    execFileSync("ln", ["-s", REPO, join(app, "node_modules", "vigil")]);
    execFileSync("ln", ["-s", join(REPO, "node_modules", "zod"), join(app, "node_modules", "zod")]);
    const config = project.write(
      "vitest.scaffold.mjs",
      'export default { resolve: { conditions: ["vigil-source"] }, ssr: { resolve: { conditions: ["vigil-source"], externalConditions: ["vigil-source"] } } };\n',
    );
    const vitest = join(REPO, "node_modules", "vitest", "vitest.mjs");
    const out = execFileSync(process.execPath, [vitest, "run", "--root", app, "--config", config], { cwd: app, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8" });
    expect(out).toMatch(/Tests\s+2 passed/);
  });
});
