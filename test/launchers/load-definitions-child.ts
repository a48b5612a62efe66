// Loads each definitions module named on the command line with loadDefinitionsModule, in a plain
// Node process (as the CLI and run workers do), and prints one JSON line per module.
import { Definitions } from "../../src/definitions/definitions.js";
import { loadDefinitionsModule } from "../../src/launchers/definitions-module.js";

for (const file of process.argv.slice(2)) {
  try {
    const defs = await loadDefinitionsModule(file);
    process.stdout.write(`${JSON.stringify({ jobs: defs.jobs.map((j) => j.name), sameLibrary: defs instanceof Definitions })}\n`);
  } catch (error) {
    const e = error as { message: string; code?: unknown };
    process.stdout.write(`${JSON.stringify({ message: e.message, code: e.code })}\n`);
  }
}
