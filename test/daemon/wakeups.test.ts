import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { assetSensor } from "../../src/definitions/asset-sensor.js";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { Definitions } from "../../src/definitions/definitions.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { sensor } from "../../src/definitions/sensor.js";
import { SkipReason } from "../../src/definitions/skip-reason.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { Instance } from "../../src/instance/index.js";
import { AssetKey, EventType, RunStatus } from "../../src/model/index.js";
import { createTempDatabase } from "../support/postgres.js";
import { noopJob } from "./fixtures.js";

const RUNNING = DefaultSensorStatus.RUNNING;

/** An asset sensor on "watched", one on "other", and a plain sensor due every second. */
function definitions(): Definitions {
  const onWatched = assetSensor({ name: "on_watched", assetKey: "watched", job: noopJob, defaultStatus: RUNNING, minimumIntervalSeconds: 1 }, (context) =>
    new RunRequest({ runKey: context.cursor ?? "none" }),
  );
  const onOther = assetSensor({ name: "on_other", assetKey: "other", job: noopJob, defaultStatus: RUNNING, minimumIntervalSeconds: 1 }, () => new SkipReason("other"));
  const plain = sensor({ name: "plain", job: noopJob, defaultStatus: RUNNING, minimumIntervalSeconds: 1 }, () => new SkipReason("plain"));
  const slow = sensor({ name: "slow", job: noopJob, defaultStatus: RUNNING, minimumIntervalSeconds: 3600 }, () => new SkipReason("slow"));
  return new Definitions({ jobs: [noopJob], sensors: [onWatched, onOther, plain, slow] });
}

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Stores a lone materialization of `key` (a run, then its one event). */
async function materialize(instance: Instance, key: string): Promise<void> {
  const runId = `run-${key}-${Date.now()}`;
  await instance.storage.addRun({ runId, jobName: "noop_job", status: RunStatus.NOT_STARTED, tags: {}, runConfig: {}, createdAt: Date.now() });
  await instance.storage.storeEvents([
    { runId, jobName: "noop_job", level: "INFO", message: "", timestamp: Date.now(), event: { eventType: EventType.ASSET_MATERIALIZATION, assetKey: new AssetKey([key]) } },
  ]);
}

async function targetedWakeup(instance: Instance): Promise<void> {
  const daemon = new Daemon({ instance, definitions: definitions(), loopIntervalMs: 600_000, wakePollMs: 20, log: () => undefined });
  try {
    daemon.start();
    const count = async (name: string) => (await instance.getTicks(name)).length;
    await waitFor(async () => (await count("on_watched")) === 1 && (await count("on_other")) === 1 && (await count("plain")) === 1 && (await count("slow")) === 1);
    await new Promise((r) => setTimeout(r, 1_100)); // "plain" is due again; only its poll (10 min away) would tick it.
    const started = Date.now();
    await materialize(instance, "watched");
    await waitFor(async () => (await count("on_watched")) === 2);
    const latency = Date.now() - started;
    await new Promise((r) => setTimeout(r, 300));
    expect({ on_watched: await count("on_watched"), on_other: await count("on_other"), plain: await count("plain"), slow: await count("slow") }).toEqual({ on_watched: 2, on_other: 1, plain: 1, slow: 1 });
    expect((await instance.getTicks("on_watched"))[0]?.status).toBe("SUCCESS");
    expect(latency).toBeLessThan(5_000);
  } finally {
    await daemon.close();
  }
}

describe("Daemon.start targeted event-driven wakeups", () => {
  it("on SQLite (polling), evaluates only the asset sensor watching the materialized key", async () => {
    const instance = await Instance.ephemeral();
    try {
      await targetedWakeup(instance);
    } finally {
      await instance.close();
    }
  }, 30_000);

  const postgresUrl = inject("postgresUrl");
  it.skipIf(postgresUrl === null)("on PostgreSQL (LISTEN/NOTIFY), evaluates only the asset sensor watching the materialized key", async () => {
    const database = await createTempDatabase(postgresUrl ?? "");
    const home = mkdtempSync(join(tmpdir(), "vigil-wakeups-"));
    try {
      writeFileSync(join(home, "vigil.yaml"), `storage:\n  postgres:\n    url: "${database.url}"\n`);
      const instance = await Instance.open(home);
      try {
        await targetedWakeup(instance);
      } finally {
        await instance.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
      await database.drop();
    }
  }, 60_000);
});
