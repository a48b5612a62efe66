// Prints the closing line CI reads: "N passed, N failed, N skipped".
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    const moduleErrors = modules.filter((m) => m.state() === "failed" && [...m.children.allTests()].length === 0).length;
    process.stdout.write(`\n${passed} passed, ${failed + moduleErrors} failed, ${skipped} skipped\n`);
  }
}
