import { describe, expect, it } from "vitest";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { Instance } from "../../src/instance/index.js";

describe("what runs print", () => {
  it("stores what an op prints to stdout and stderr as the run's logs, apart from other runs'", async () => {
    const chatty = op({ name: "chatty" }, async (context) => {
      // (console.log reaches process.stdout.write in a plain process; vitest replaces console, so write directly.)
      process.stdout.write(`to stdout from ${context.runId}\n`);
      await new Promise((r) => setTimeout(r, 20));
      process.stderr.write(`to stderr from ${context.runId}\n`);
    });
    const chattyJob = job({ name: "chatty_job" }, () => {
      chatty();
    });
    await using instance = await Instance.ephemeral();
    // Two runs at once in one process: each keeps its own output.
    const [a, b] = await Promise.all([chattyJob.executeInProcess({ instance }), chattyJob.executeInProcess({ instance })]);
    for (const result of [a, b]) {
      const logs = await instance.storage.getRunLogs(result.runId);
      expect(logs.map((l) => [l.stream, l.text])).toEqual([
        ["stdout", `to stdout from ${result.runId}\n`],
        ["stderr", `to stderr from ${result.runId}\n`],
      ]);
    }
  });
});
