// A run failure sensor working through a backlog of 10,000 failed runs (SQLite, daemon on a
// ManualClock that never advances: only backlogs make it tick again): events handled per second
// and ticks needed. Each tick reads at most one batch and commits its cursor; the next follows at once.
import { ManualClock } from "../../src/daemon/clock.js";
import { Daemon } from "../../src/daemon/daemon.js";
import { DefaultSensorStatus } from "../../src/definitions/default-sensor-status.js";
import { Definitions } from "../../src/definitions/definitions.js";
import { job } from "../../src/definitions/job.js";
import { op } from "../../src/definitions/op.js";
import { runFailureSensor } from "../../src/definitions/run-status-sensor.js";
import { Instance } from "../../src/instance/index.js";
import { EventType, RunStatus } from "../../src/model/index.js";
import { timeMs, type Benchmark } from "../harness.js";

const FAILURES = 10_000;

export const runStatusBacklog: Benchmark = {
  name: "run-status-backlog",
  async run(context) {
    const noop = op({ name: "noop" }, () => 1);
    const noopJob = job({ name: "noop_job" }, () => {
      noop();
    });
    let handled = 0;
    const alerts = runFailureSensor({ name: "alerts", defaultStatus: DefaultSensorStatus.RUNNING, minimumIntervalSeconds: 3600 }, () => {
      handled++;
    });
    await using instance = await Instance.ephemeral();
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    const daemon = new Daemon({ instance, definitions: new Definitions({ jobs: [noopJob], sensors: [alerts] }), clock, launchRuns: false, log: () => undefined });
    try {
      await daemon.runIteration();
      for (let i = 0; i < FAILURES; i += 500) {
        const ids = Array.from({ length: Math.min(500, FAILURES - i) }, (_, j) => `failed-${i + j}`);
        for (const runId of ids) await instance.storage.addRun({ runId, jobName: "noop_job", status: RunStatus.STARTED, tags: {}, runConfig: {}, createdAt: Date.now() });
        await instance.storage.storeEvents(ids.map((runId) => ({ runId, jobName: "noop_job", timestamp: Date.now(), level: "ERROR" as const, message: "boom", event: { eventType: EventType.RUN_FAILURE, runStatus: RunStatus.FAILURE } })));
      }
      clock.advance(3_600_000);
      let ticks = 0;
      const ms = await timeMs(async () => {
        while (handled < FAILURES && ticks < 1000) {
          await daemon.runIteration();
          ticks++;
        }
      });
      context.log(`${handled} handled in ${ticks} ticks, ${ms.toFixed(0)} ms`);
      const note = `${FAILURES.toLocaleString("en")} failed runs pending; a no-op handler; each tick reads at most one batch (1,000), commits its cursor and is followed at once by the next`;
      return [
        { figure: `run failure sensor backlog of ${FAILURES.toLocaleString("en")} failures: events handled per second`, value: Math.round(handled / (ms / 1000)), unit: "events/s", bar: null, pass: null, dialect: "sqlite", note },
        { figure: `run failure sensor backlog of ${FAILURES.toLocaleString("en")} failures: ticks needed`, value: ticks, unit: "ticks", bar: null, pass: null, dialect: "sqlite", note },
      ];
    } finally {
      await daemon.close();
    }
  },
};
