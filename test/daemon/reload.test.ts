import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { setup } from "./fixtures.js";

// Inside the repo, so the module's relative imports of the sources resolve as worker-defs.ts's do.
const SRC = "../../../src/definitions/";
const dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".reload-"));
const file = join(dir, "defs.ts");
let version = 0;

/** Writes the definitions module: one sensor skipping with `reason`, or code that does not compile. */
function write(reason: string | null): void {
  const body =
    reason === null
      ? "export default new Definitions({ jobs: [], sensors: [ ;\n"
      : `const noop = op({ name: "noop" }, () => 1);\nconst j = job({ name: "j" }, () => {\n  noop();\n});\nconst s = sensor({ name: "s", job: j, defaultStatus: "RUNNING", minimumIntervalSeconds: 1 }, () => new SkipReason(${JSON.stringify(reason)}));\nexport default new Definitions({ jobs: [j], sensors: [s] });\n`;
  writeFileSync(
    file,
    `import { Definitions } from "${SRC}definitions.js";\nimport { sensor } from "${SRC}sensor.js";\nimport { SkipReason } from "${SRC}skip-reason.js";\nimport { job } from "${SRC}job.js";\nimport { op } from "${SRC}op.js";\n${body}`,
  );
  // A distinct modification time for every version, whatever the file system's resolution.
  version += 1;
  utimesSync(file, 1_700_000_000 + version, 1_700_000_000 + version);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Daemon definitions reload", () => {
  it("reloads a changed module, keeps the last good version when the new one fails, and reports each failure once", async () => {
    write("v1");
    await using t = await setup(file);
    const latest = async () => (await t.instance.getTicks("s"))[0]?.skipReason;
    await t.daemon.runIteration();
    expect(await latest()).toBe("v1");

    write(null);
    for (let i = 0; i < 2; i++) {
      t.clock.advance(1_000);
      await t.daemon.runIteration();
      expect(await latest()).toBe("v1");
    }
    const errors = t.logs.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^Definitions module ".*defs\.ts" (does not compile|threw while loading): .*keeps using the version it loaded before\)$/s);
    expect(await t.daemon.reloadDefinitions()).toBe(false);

    write("v2");
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    expect(await latest()).toBe("v2");
    expect(t.logs.filter((l) => l.level === "error")).toHaveLength(2);
    expect(await t.daemon.reloadDefinitions()).toBe(true);
  }, 60_000);
});
