// Shared pieces of the daemon tests: jobs, an instance, a daemon on a ManualClock.
import { z } from "zod";
import { Definitions } from "../../src/definitions/definitions.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { ManualClock } from "../../src/daemon/clock.js";
import { Daemon, type DaemonOptions } from "../../src/daemon/daemon.js";
import type { SensorLogLine } from "../../src/daemon/run-tick.js";
import { Instance } from "../../src/instance/index.js";
import { RunTag, type Run } from "../../src/model/index.js";

export const T0 = Date.parse("2026-01-01T00:00:00Z");

const noop = op({ name: "noop" }, () => 1);
export const noopJob = job({ name: "noop_job", tags: { team: "data", layer: "job" } }, () => {
  noop();
});

const configured = op({ name: "configured", config: z.object({ n: z.number() }) }, (ctx) => ctx.opConfig.n);
export const configuredJob = job({ name: "configured_job" }, () => {
  configured();
});

/** Messages the daemon logged, for assertions (and to keep test output clean). */
export type LogLine = { level: string; message: string; sensorLine?: SensorLogLine };

/** An ephemeral instance, a ManualClock at T0 and a daemon on `definitions`; dispose closes both. */
export async function setup(definitions: Definitions | string, options: Partial<DaemonOptions> = {}) {
  const instance = await Instance.ephemeral();
  const clock = new ManualClock(T0);
  const logs: LogLine[] = [];
  const daemon = new Daemon({ instance, definitions, clock, log: (level, message, sensorLine) => logs.push(sensorLine === undefined ? { level, message } : { level, message, sensorLine }), ...options });
  return {
    instance,
    clock,
    daemon,
    logs,
    /** Runs of a sensor, oldest first. */
    runsOf: async (sensorName: string): Promise<Run[]> => (await instance.getRuns({ tags: { [RunTag.SENSOR_NAME]: sensorName } })).reverse(),
    async [Symbol.asyncDispose]() {
      await daemon.close();
      await instance.close();
    },
  };
}

export function defs(sensors: Definitions["sensors"], jobs = [noopJob, configuredJob]): Definitions {
  return new Definitions({ jobs, sensors });
}
