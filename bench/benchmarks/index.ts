import type { Benchmark } from "../harness.js";
import { daemonScale } from "./daemon-scale.js";
import { daemonTick } from "./daemon-tick.js";
import { eventAppendWriters } from "./event-append-writers.js";
import { eventInsert } from "./event-insert.js";
import { failover } from "./failover.js";
import { launchBurst } from "./launch-burst.js";
import { latestMaterialization } from "./latest-materialization.js";
import { queueLauncher } from "./queue-launcher.js";
import { runStatusBacklog } from "./run-status-backlog.js";
import { subprocessStartBenchmark } from "./subprocess-start.js";
import { uiApi } from "./ui-api.js";

/** Every benchmark `npm run bench` runs, in order. Add a module here to add one. */
export const BENCHMARKS: readonly Benchmark[] = [
  eventInsert,
  eventAppendWriters,
  latestMaterialization,
  daemonTick,
  runStatusBacklog,
  daemonScale,
  subprocessStartBenchmark,
  launchBurst,
  failover,
  queueLauncher,
  uiApi,
];
