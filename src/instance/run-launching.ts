import { join } from "node:path";
import type { Definitions } from "../definitions/definitions.js";
import { RunCoordinator } from "../coordinator/run-coordinator.js";
import { RunMonitor } from "../coordinator/run-monitor.js";
import type { RunHeartbeat } from "../execution/run-heartbeat.js";
import { loadDefinitionsModule } from "../launchers/definitions-module.js";
import { InProcessLauncher } from "../launchers/in-process.js";
import type { RunLauncher } from "../launchers/run-launcher.js";
import type { StorageOpener } from "../launchers/storage-opener.js";
import { QueueLauncher } from "../launchers/queue-launcher.js";
import { SubprocessLauncher } from "../launchers/subprocess.js";
import { terminateRunWorker } from "../launchers/terminate-worker.js";
import { probeProcess } from "../launchers/worker-probe.js";
import type { Storage } from "../storage/storage.js";
import type { CompiledInstanceConfig, StorageConfig } from "./instance-config.js";

/** What runs the launcher executes: an object (always in-process) or a module file. */
export type LaunchTarget = { definitions: Definitions } | { definitionsFile: string };

/**
 * How a worker process opens this instance's storage. Only the instance layer names a dialect,
 * so it describes the opener; launchers stay dialect-free.
 */
export function storageOpenerFor(storage: StorageConfig): StorageOpener {
  return storage.kind === "sqlite"
    ? { module: new URL("../storage/dialects/sqlite.js", import.meta.url).href, exportName: "openSqliteStorage", options: { path: storage.path, synchronous: storage.synchronous } }
    : { module: new URL("../storage/dialects/postgres.js", import.meta.url).href, exportName: "openPostgresStorage", options: { url: storage.url } };
}

/** How long one heartbeat keeps a process registered: the heartbeat timeout. */
export function heartbeatTiming(config: CompiledInstanceConfig): { intervalMs: number; ttlMs: number } {
  return { intervalMs: config.runMonitoring.heartbeatIntervalMs, ttlMs: config.runMonitoring.heartbeatTimeoutSeconds * 1000 };
}

/**
 * Builds the launcher `vigil.yaml` asks for. A definitions object can only run in this process
 * (a subprocess needs a module to load), whatever the config says.
 */
export async function createRunLauncher(
  storage: Storage,
  config: CompiledInstanceConfig,
  logRoot: string,
  heartbeat: RunHeartbeat,
  target: LaunchTarget,
): Promise<RunLauncher> {
  if ("definitions" in target) return new InProcessLauncher({ storage, definitions: target.definitions, heartbeat });
  switch (config.runLauncher) {
    case "in-process":
      return new InProcessLauncher({ storage, definitions: await loadDefinitionsModule(target.definitionsFile), heartbeat });
    case "subprocess":
      return new SubprocessLauncher({
        storage,
        storageOpener: storageOpenerFor(config.storage),
        definitionsFile: target.definitionsFile,
        logDir: join(logRoot, "logs", "runs"),
        warmWorkers: config.subprocessLauncher.warmWorkers,
        heartbeat: heartbeatTiming(config),
      });
    case "queue":
      return new QueueLauncher({ queues: config.queueLauncher.queues });
  }
}

/** The coordinator that moves QUEUED runs to the launcher under vigil.yaml's limits, claiming as `claimedBy`. */
export function createRunCoordinator(storage: Storage, config: CompiledInstanceConfig, launcher: RunLauncher, claimedBy: string): RunCoordinator {
  return new RunCoordinator({
    storage,
    launcher,
    claimedBy,
    maxConcurrentRuns: config.runCoordinator.maxConcurrentRuns,
    tagConcurrencyLimits: config.runCoordinator.tagConcurrencyLimits,
  });
}

/** The monitor that fails runs whose worker fell silent or died, and ends canceled runs. */
export function createRunMonitor(storage: Storage, config: CompiledInstanceConfig): RunMonitor {
  return new RunMonitor({
    storage,
    heartbeatTimeoutMs: config.runMonitoring.heartbeatTimeoutSeconds * 1000,
    startTimeoutMs: config.runMonitoring.startTimeoutSeconds * 1000,
    probe: probeProcess,
    terminate: (run) => terminateRunWorker(run),
  });
}
