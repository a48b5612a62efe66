// Definitions modules of every kind a user project may have, for loader tests: an ES module `.ts`,
// a `.ts` in a CommonJS package (no "type"), `.mts`, an ES module `.js` and `.cjs`. Each one's
// sensor skips with a reason built by the library (so a second copy of it would fail the tick)
// and imports a helper the way its module system does.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const repoRoot = resolve(import.meta.dirname, "../..");

/** One kind of definitions module: its name, and the file to load. */
export interface ModuleKind {
  kind: string;
  file: string;
}

const body = (kind: string, helper: string) => `const work = op({ name: "work" }, () => 1);
const workJob = job({ name: "work_job" }, () => { work(); });
const probe = sensor({ name: "probe", job: workJob, defaultStatus: DefaultSensorStatus.RUNNING, minimumIntervalSeconds: 1 }, (context) => {
  context.log.info("probing ${kind}");
  return new SkipReason("${kind} " + ${helper}());
});
`;

const IMPORTS = `import { Definitions, DefaultSensorStatus, SkipReason, job, op, sensor } from "vigil";\n`;
const REQUIRES = `const { Definitions, DefaultSensorStatus, SkipReason, job, op, sensor } = require("vigil");\n`;

/** Temp user projects (one ES module package, one CommonJS package) holding one module of each kind. */
export class ModuleKindsProject implements Disposable {
  readonly dir = mkdtempSync(join(tmpdir(), "vigil-module-kinds-"));
  readonly kinds: ModuleKind[] = [];

  constructor() {
    mkdirSync(join(this.dir, "node_modules"));
    symlinkSync(repoRoot, join(this.dir, "node_modules", "vigil"), "dir");
    this.#write("esm/package.json", JSON.stringify({ name: "esm-project", type: "module", private: true }));
    this.#write("cjs/package.json", JSON.stringify({ name: "cjs-project", private: true }));
    this.#write("esm/helper.ts", `export function helper(): string { return "ok"; }\n`);
    this.#write("cjs/helper.ts", `export function helper(): string { return "ok"; }\n`);
    this.#write("cjs/helper-cjs.cjs", `exports.helper = () => "ok";\n`);
    this.#add("esm .ts", "esm/defs.ts", `${IMPORTS}import { helper } from "./helper.js";\n${body("esm .ts", "helper")}export default new Definitions({ jobs: [workJob], sensors: [probe] });\n`);
    this.#add("cjs .ts", "cjs/defs.ts", `${IMPORTS}import { helper } from "./helper";\n${body("cjs .ts", "helper")}export default new Definitions({ jobs: [workJob], sensors: [probe] });\n`);
    this.#add("cjs .mts", "cjs/defs.mts", `${IMPORTS}import { helper } from "./helper.js";\n${body("cjs .mts", "helper")}export const defs = new Definitions({ jobs: [workJob], sensors: [probe] });\n`);
    this.#add("esm .js", "esm/plain.js", `${IMPORTS}const helper = () => "ok";\n${body("esm .js", "helper")}export default new Definitions({ jobs: [workJob], sensors: [probe] });\n`);
    this.#add("cjs .cjs", "cjs/defs.cjs", `${REQUIRES}const { helper } = require("./helper-cjs.cjs");\n${body("cjs .cjs", "helper")}module.exports = new Definitions({ jobs: [workJob], sensors: [probe] });\n`);
  }

  #write(name: string, source: string): string {
    const path = join(this.dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, source);
    return path;
  }

  #add(kind: string, name: string, source: string): void {
    this.kinds.push({ kind, file: this.#write(name, source) });
  }

  [Symbol.dispose](): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
