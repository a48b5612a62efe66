/** The files `vigil init` writes: a project with a job, a sensor and a test of the sensor. */

/** The package.json of a new project named `name`, depending on vigil `vigilVersion`. */
export function packageJson(name: string, vigilVersion: string): string {
  const pkg = {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: { dev: "vigil dev", daemon: "vigil daemon", test: "vitest run" },
    dependencies: { vigil: `^${vigilVersion}`, zod: "^4.6.7" },
    devDependencies: { vitest: "~4.1.12", typescript: "^6.0.3", "@types/node": "^20.19.43" },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** defs.ts: one job and one sensor that launches it for every file dropped into `inbox/`. */
export const DEFS_TS = `// Your Vigil definitions: \`npx vigil dev\` runs the sensor below; \`npx vigil --help\` lists commands.
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { DefaultSensorStatus, Definitions, RunRequest, SkipReason, job, op, sensor } from "vigil";

/** The folder the sensor watches: ./inbox, or $INBOX. */
export function inboxDir(): string {
  return process.env.INBOX ?? join(import.meta.dirname, "inbox");
}

const greet = op({ name: "greet", config: z.object({ file: z.string() }) }, (context) => {
  context.log.info(\`Hello, \${context.opConfig.file}!\`);
});

export const greetJob = job({ name: "greet_job" }, () => {
  greet();
});

/** One run per file in the inbox; the run key (the file name) makes sure each file runs once. */
export const inboxSensor = sensor(
  { name: "inbox_sensor", job: greetJob, minimumIntervalSeconds: 5, defaultStatus: DefaultSensorStatus.RUNNING },
  () => {
    const dir = inboxDir();
    mkdirSync(dir, { recursive: true });
    const files = readdirSync(dir).sort();
    if (files.length === 0) return new SkipReason(\`No files in \${dir} yet; drop one in.\`);
    return files.map((file) => new RunRequest({ runKey: file, runConfig: { ops: { greet: { config: { file } } } } }));
  },
);

export default new Definitions({ jobs: [greetJob], sensors: [inboxSensor] });
`;

/** defs.test.ts: the sensor, evaluated directly, as the daemon would. */
export const DEFS_TEST_TS = `import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSensorContext } from "vigil";
import { beforeEach, describe, expect, it } from "vitest";
import { inboxSensor } from "./defs.js";

describe("inbox_sensor", () => {
  beforeEach(() => {
    process.env.INBOX = mkdtempSync(join(tmpdir(), "inbox-"));
  });

  it("requests one run per file, keyed by the file name", async () => {
    writeFileSync(join(process.env.INBOX ?? "", "a.txt"), "hello");
    const { runRequests } = await inboxSensor.evaluate(buildSensorContext());
    expect(runRequests.map((r) => r.runKey)).toEqual(["a.txt"]);
    expect(runRequests[0]?.runConfig).toEqual({ ops: { greet: { config: { file: "a.txt" } } } });
  });

  it("skips while the inbox is empty", async () => {
    const { runRequests, skipReason } = await inboxSensor.evaluate(buildSensorContext());
    expect(runRequests).toEqual([]);
    expect(skipReason?.message).toMatch(/^No files in /);
  });
});
`;

/** tsconfig.json: for editors and \`tsc --noEmit\`; Vigil runs .ts files itself. */
export const TSCONFIG_JSON = `${JSON.stringify(
  {
    compilerOptions: { target: "ES2023", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] },
    include: ["*.ts"],
  },
  null,
  2,
)}\n`;

export const GITIGNORE = "node_modules/\n.vigil/\ninbox/\n";
