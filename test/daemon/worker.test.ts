import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DefinitionError } from "../../src/errors/index.js";
import { setup } from "./fixtures.js";

const DEFS = fileURLToPath(new URL("./worker-defs.ts", import.meta.url));

describe("Daemon with a definitions module", () => {
  it("kills a sensor stuck in a synchronous loop at its timeout, replaces its worker, and the others go on", async () => {
    await using t = await setup(DEFS);
    await t.daemon.runIteration();
    const [stuck] = await t.instance.getTicks("stuck");
    expect(stuck?.status).toBe("FAILURE");
    expect(stuck?.error?.message).toMatch(/^Sensor "stuck" timed out after 2 s and was killed/);
    expect((await t.instance.getTicks("quick"))[0]).toMatchObject({ status: "SUCCESS", runKeys: ["quick-1"], cursor: "1" });
    // It reads the daemon's storage through context.instance (quick's run may or may not exist yet).
    expect((await t.instance.getTicks("reader"))[0]?.skipReason).toMatch(/^saw [01] run\(s\)$/);
    t.clock.advance(1_000);
    await t.daemon.runIteration();
    expect((await t.instance.getTicks("quick"))[0]).toMatchObject({ status: "SUCCESS", runKeys: ["quick-2"], cursor: "2" });
    expect((await t.instance.getTicks("reader"))[0]?.skipReason).toMatch(/^saw [12] run\(s\)$/);
    expect((await t.instance.getTicks("stuck")).map((x) => x.status)).toEqual(["FAILURE", "FAILURE"]);
  }, 60_000);

  it("rejects runIteration with the load error naming the file when the module cannot be loaded", async () => {
    await using t = await setup("/nonexistent/defs.ts");
    const error = await t.daemon.runIteration().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as Error).message).toBe(`Definitions module "/nonexistent/defs.ts" does not exist; check the path (relative paths are resolved from ${process.cwd()}).`);
  });
});
