// The built package (dist/, what npm consumers get) works on its own: `npm test` builds it first.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const built = existsSync(entry);
if (!built && process.env.CI === "true") throw new Error("dist/ is missing in CI: `npm test` must build before testing.");

describe.skipIf(!built)("the built package", () => {
  it("runs a job from dist/ with a real ephemeral instance", async () => {
    const vigil = (await import(entry)) as typeof import("vigil");
    const one = vigil.op({ name: "one" }, () => 1);
    const plusOne = vigil.op({ name: "plus_one" }, (_ctx, n: number) => n + 1);
    const j = vigil.job({ name: "dist_job" }, () => plusOne(one()));
    await using instance = await vigil.Instance.ephemeral();
    const result = await j.executeInProcess({ instance });
    expect(result.success).toBe(true);
    expect(result.outputFor("plus_one")).toBe(2);
    expect((await instance.getRun(result.runId))?.status).toBe(vigil.RunStatus.SUCCESS);
  });
});
