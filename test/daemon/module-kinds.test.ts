import { describe, expect, it } from "vitest";
import { ModuleKindsProject } from "./module-kinds.js";
import { setup } from "./fixtures.js";

describe("Daemon with a definitions module of each kind", () => {
  it("evaluates sensors in worker threads for ES module and CommonJS .ts, .mts, .js and .cjs, sharing one library copy", async () => {
    using project = new ModuleKindsProject();
    for (const { kind, file } of project.kinds) {
      await using t = await setup(file);
      await t.daemon.runIteration();
      const [tick] = await t.instance.getTicks("probe");
      // A SkipReason from a second copy of the library would fail the tick ("unexpectedly returned").
      expect({ kind, status: tick?.status, skipReason: tick?.skipReason, error: tick?.error?.message }).toEqual({ kind, status: "SKIPPED", skipReason: `${kind} ok`, error: undefined });
    }
  }, 120_000);
});
