import { describe, expect, it } from "vitest";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { sensor } from "../../src/definitions/sensor.js";
import { SkipReason } from "../../src/definitions/skip-reason.js";
import { ModuleKindsProject } from "./module-kinds.js";
import { defs, noopJob, setup } from "./fixtures.js";

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING|ERROR|DEBUG) sensor "[^"]+" tick \d+: /;

describe("Sensor log lines under the daemon", () => {
  it("reports each line of an in-thread evaluation with time, level, sensor name and tick id", async () => {
    const chatty = sensor({ name: "chatty", job: noopJob, defaultStatus: DefaultSensorStatus.RUNNING }, (context) => {
      context.log.info("looking at the bucket");
      context.log.warning("bucket is slow");
      context.log.error("bucket is gone");
      return new SkipReason("nothing new");
    });
    await using t = await setup(defs([chatty]));
    await t.daemon.runIteration();
    const [tick] = await t.instance.getTicks("chatty");
    const lines = t.logs.filter((l) => l.sensorLine !== undefined);
    expect(lines.map((l) => [l.level, l.sensorLine?.level, l.sensorLine?.message, l.sensorLine?.sensorName, l.sensorLine?.tickId])).toEqual([
      ["info", "INFO", "looking at the bucket", "chatty", tick?.id],
      ["warn", "WARNING", "bucket is slow", "chatty", tick?.id],
      ["error", "ERROR", "bucket is gone", "chatty", tick?.id],
    ]);
    for (const l of lines) expect(l.message).toMatch(LINE);
    expect(lines[0]?.message).toMatch(new RegExp(`INFO sensor "chatty" tick ${tick?.id}: looking at the bucket$`));
  });

  it("reports the lines of a sensor evaluated in a worker thread", async () => {
    using project = new ModuleKindsProject();
    const esm = project.kinds[0];
    if (esm === undefined) throw new Error("no module kind");
    await using t = await setup(esm.file);
    await t.daemon.runIteration();
    const [tick] = await t.instance.getTicks("probe");
    const lines = t.logs.filter((l) => l.sensorLine !== undefined);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.message).toMatch(LINE);
    expect(lines[0]?.message).toMatch(new RegExp(`INFO sensor "probe" tick ${tick?.id}: probing esm \\.ts$`));
  }, 60_000);
});
