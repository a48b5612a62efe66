// Definitions, an instance and a daemon on a ManualClock, shared by the API and browser tests.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { Definitions } from "../../src/definitions/definitions.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { sensor } from "../../src/definitions/sensor.js";
import { SkipReason } from "../../src/definitions/skip-reason.js";
import { ManualClock } from "../../src/daemon/clock.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { Instance } from "../../src/instance/index.js";
import { AssetMaterialization } from "../../src/model/index.js";

export const T0 = Date.parse("2026-01-01T00:00:00Z");

const extract = op({ name: "extract", config: z.object({ path: z.string(), retries: z.number().default(2) }) }, (ctx) => {
  ctx.log.info(`extracting ${ctx.opConfig.path}`);
  return ctx.opConfig.path.length;
});
const load = op({ name: "load" }, (ctx, n: number) => {
  ctx.logEvent(new AssetMaterialization({ assetKey: "warehouse/files", metadata: { rows: n } }));
  if (n > 100) throw new Error("Too many rows to load.");
  return n;
});
export const etlJob = job({ name: "etl", description: "Extracts a file and loads it.", tags: { team: "data" } }, () => {
  load(extract());
});

/** What `inbox_sensor` sees: files waiting; each becomes one run (run key = file name). */
export const inbox: string[] = [];

const inboxSensor = sensor(
  { name: "inbox_sensor", job: etlJob, minimumIntervalSeconds: 30, defaultStatus: DefaultSensorStatus.RUNNING, description: "One run per file in the inbox." },
  (context) => {
    const after = Number(context.cursor ?? "0");
    const fresh = inbox.slice(after);
    if (fresh.length === 0) return new SkipReason(`No new files after position ${after}.`);
    context.updateCursor(String(inbox.length));
    return fresh.map((f) => new RunRequest({ runKey: f, runConfig: { ops: { extract: { config: { path: f } } } } }));
  },
);
const brokenSensor = sensor({ name: "broken_sensor", job: etlJob, minimumIntervalSeconds: 60, defaultStatus: DefaultSensorStatus.RUNNING }, () => {
  throw new Error("Bucket s3://landing is unreachable.");
});
const idleSensor = sensor({ name: "idle_sensor", job: etlJob, minimumIntervalSeconds: 120 }, () => new SkipReason("Idle sensor has nothing to do."));

export const definitions = new Definitions({ jobs: [etlJob], sensors: [inboxSensor, brokenSensor, idleSensor] });

/**
 * Tags of a run no daemon claims from an instance of `openHoldingInstance`: once a daemon ran an
 * iteration its run queue polls every second, so a run a test queues by hand must be held back to
 * stay QUEUED.
 */
export const HOLD_TAGS: Readonly<Record<string, string>> = { hold: "yes" };

/**
 * Opens an instance at `home` (an empty folder) whose vigil.yaml allows no run tagged `hold` in
 * flight (`HOLD_TAGS`), with the in-process launcher and `storage` (a vigil.yaml `storage:` block;
 * by default SQLite in the home). The caller removes `home`.
 */
export async function openHoldingInstance(home: string, storage = ""): Promise<Instance> {
  writeFileSync(join(home, "vigil.yaml"), `${storage}runLauncher: in-process\nrunCoordinator:\n  tagConcurrencyLimits:\n    - { key: hold, limit: 0 }\n`);
  return Instance.open(home);
}

/** An ephemeral instance and a daemon on a ManualClock at `start` (T0 by default). */
export async function setupInstance(start = T0, open: () => Promise<Instance> = () => Instance.ephemeral()) {
  const instance = await open();
  const clock = new ManualClock(start);
  const daemon = new Daemon({ instance, definitions, clock, log: () => undefined });
  return {
    instance,
    clock,
    daemon,
    async close() {
      await daemon.close();
      await instance.close();
    },
  };
}
