// Fault injection at every TickStep, on SQLite and PostgreSQL: a daemon process is stopped right
// after the step (exit 86, as a SIGKILL there would leave storage), then restarted; the restart
// must leave exactly one finished run per run key, the evaluation's cursor, no open tick.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { TickStep } from "../../src/daemon/tick.js";
import { Instance } from "../../src/instance/index.js";
import { RunTag } from "../../src/model/index.js";
import { createTempDatabase } from "../support/postgres.js";
import { CRASH_CURSOR, CRASH_RUN_KEYS } from "./crash-defs.js";

const SCRIPT = fileURLToPath(new URL("./crash-daemon.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function runDaemon(home: string, crashAt?: string): { status: number | null; stderr: string } {
  const env = { ...process.env };
  delete env.VIGIL_CRASH_AT;
  if (crashAt !== undefined) env.VIGIL_CRASH_AT = crashAt;
  const result = spawnSync(process.execPath, ["--conditions=vigil-source", "--import", "tsx", SCRIPT, home], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stderr: result.stderr };
}

async function checkRecovered(home: string): Promise<void> {
  await using instance = await Instance.open(home);
  for (const runKey of CRASH_RUN_KEYS) {
    const runs = await instance.getRuns({ tags: { [RunTag.SENSOR_NAME]: "crash_sensor", [RunTag.RUN_KEY]: runKey } });
    expect(runs, `runs with key ${runKey}`).toHaveLength(1);
    // Launched and finished: not lost in QUEUED, not stuck in STARTING.
    expect(["SUCCESS", "FAILURE"], `status of the run with key ${runKey}`).toContain(runs[0]?.status);
  }
  expect(await instance.getRuns()).toHaveLength(CRASH_RUN_KEYS.length);
  expect((await instance.getSensorState("crash_sensor"))?.cursor).toBe(CRASH_CURSOR);
  expect(await instance.getTicks("crash_sensor", { statuses: ["STARTED"] })).toEqual([]);
  const success = await instance.getTicks("crash_sensor", { statuses: ["SUCCESS"] });
  expect(success).toHaveLength(1);
  expect(success[0]?.runKeys).toEqual(CRASH_RUN_KEYS);
}

function crashAndRecover(home: string, step: string): void {
  const crashed = runDaemon(home, step);
  expect(crashed.status, crashed.stderr).toBe(86);
  const restarted = runDaemon(home);
  expect(restarted.status, restarted.stderr).toBe(0);
}

const steps = Object.values(TickStep);

describe("crash at every TickStep: SQLite", () => {
  it.each(steps)("recovers after a crash at %s", async (step) => {
    const home = mkdtempSync(join(tmpdir(), "vigil-crash-"));
    try {
      crashAndRecover(home, step);
      await checkRecovered(home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

const postgresUrl = inject("postgresUrl");
describe.skipIf(postgresUrl === null)("crash at every TickStep: PostgreSQL", () => {
  it.each(steps)("recovers after a crash at %s", async (step) => {
    const database = await createTempDatabase(postgresUrl ?? "");
    const home = mkdtempSync(join(tmpdir(), "vigil-crash-"));
    try {
      writeFileSync(join(home, "vigil.yaml"), `storage:\n  postgres:\n    url: "${database.url}"\n`);
      crashAndRecover(home, step);
      await checkRecovered(home);
    } finally {
      rmSync(home, { recursive: true, force: true });
      await database.drop();
    }
  });
});
