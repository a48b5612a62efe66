import { describe, expect, it } from "vitest";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { RunRequest } from "../../src/definitions/run-request.js";
import { sensor } from "../../src/definitions/sensor.js";
import { configuredJob, defs, noopJob, setup } from "./fixtures.js";

const RUNNING = DefaultSensorStatus.RUNNING;

describe("Daemon failed ticks", () => {
  it("records FAILURE ticks naming the sensor for a throw, invalid config, an unknown job and a bad return, keeps cursors, and goes on", async () => {
    const setsCursor = <T>(fn: () => T) => (context: { updateCursor(c: string | null): void }) => {
      context.updateCursor("moved");
      return fn();
    };
    const sensors = [
      sensor({ name: "throws", job: noopJob, defaultStatus: RUNNING }, setsCursor(() => {
        throw new Error("disk on fire");
      })),
      sensor({ name: "bad_config", job: configuredJob, defaultStatus: RUNNING }, setsCursor(() =>
        new RunRequest({ runKey: "x", runConfig: { ops: { configured: { config: { n: "not a number" } } } } }),
      )),
      sensor({ name: "unknown_job", jobs: [noopJob, configuredJob], defaultStatus: RUNNING }, setsCursor(() => new RunRequest({ jobName: "nope" }))),
      sensor({ name: "bad_return", job: noopJob, defaultStatus: RUNNING }, setsCursor(() => 42 as unknown as RunRequest)),
      sensor({ name: "fine", job: noopJob, defaultStatus: RUNNING }, () => new RunRequest({ runKey: "ok" })),
    ];
    await using t = await setup(defs(sensors));
    for (const name of ["throws", "bad_config", "unknown_job", "bad_return"]) await t.instance.setCursor(name, "before");
    await t.daemon.runIteration();
    const expectations: Record<string, RegExp> = {
      throws: /^Error in sensor "throws": disk on fire/,
      bad_config: /^Error in sensor "bad_config": .*invalid run config for job "configured_job" \(ops\.configured\.config\.n/,
      unknown_job: /sensor "unknown_job".*jobName "nope"/i,
      bad_return: /sensor "bad_return".*42/i,
    };
    for (const [name, message] of Object.entries(expectations)) {
      const [tick] = await t.instance.getTicks(name);
      expect(tick?.status, name).toBe("FAILURE");
      expect(tick?.error?.message, name).toMatch(message);
      expect(tick?.error?.stack.length, name).toBeGreaterThan(0);
      expect(tick?.runIds, name).toEqual([]);
      expect(tick?.cursor, name).toBe("before");
      expect(await t.instance.getSensorState(name), name).toMatchObject({ cursor: "before", lastTickTimestamp: tick?.timestamp });
      expect(await t.runsOf(name), name).toEqual([]);
    }
    expect((await t.instance.getTicks("throws"))[0]?.error?.stack).toContain("disk on fire");
    expect((await t.instance.getTicks("fine"))[0]?.status).toBe("SUCCESS");
  });

  it("kills the wait on a stuck async sensor at its timeout and records that, while others tick", async () => {
    const stuck = sensor({ name: "stuck", job: noopJob, defaultStatus: RUNNING, timeoutSeconds: 0.2 }, () => new Promise<never>(() => undefined));
    const fine = sensor({ name: "fine", job: noopJob, defaultStatus: RUNNING }, () => new RunRequest({ runKey: "ok" }));
    await using t = await setup(defs([stuck, fine]));
    await t.daemon.runIteration();
    const [tick] = await t.instance.getTicks("stuck");
    expect(tick).toMatchObject({ status: "FAILURE" });
    expect(tick?.error?.message).toMatch(/^Sensor "stuck" timed out after 0\.2 s/);
    expect((await t.instance.getTicks("fine"))[0]?.status).toBe("SUCCESS");
  });

  it("uses the instance's sensors.timeoutSeconds for sensors that give none", async () => {
    const stuck = sensor({ name: "stuck", job: noopJob, defaultStatus: RUNNING }, () => new Promise<never>(() => undefined));
    await using t = await setup(defs([stuck]));
    (t.instance.config.sensors as { timeoutSeconds: number }).timeoutSeconds = 0.1;
    await t.daemon.runIteration();
    expect((await t.instance.getTicks("stuck"))[0]?.error?.message).toMatch(/^Sensor "stuck" timed out after 0\.1 s/);
  });

  it("purges SKIPPED ticks older than the retention, by the daemon's clock", async () => {
    const s = sensor({ name: "s", job: noopJob, defaultStatus: RUNNING, minimumIntervalSeconds: 3600 }, () => undefined);
    await using t = await setup(defs([s]));
    await t.daemon.runIteration();
    t.clock.advance(3 * 86_400_000);
    await t.daemon.runIteration();
    expect(await t.instance.getTicks("s")).toHaveLength(2);
    t.clock.advance(5 * 86_400_000);
    await t.daemon.runIteration();
    // The first tick is now 8 days old (> 7): purged; the second (5 days) and the new one stay.
    expect(await t.instance.getTicks("s")).toHaveLength(2);
  });
});
