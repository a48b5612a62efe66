// The entry point of a run worker process, started by `SubprocessLauncher` ahead of need: opens the
// storage and loads the definitions module, tells the launcher it is ready, waits (over IPC) for
// one run id, executes that run, exits. SIGTERM while idle exits; SIGTERM while executing cancels
// the run (no further op starts; the run ends CANCELED). Not a module to import.
import type { Definitions } from "../definitions/definitions.js";
import { toError } from "../errors/index.js";
import { executeRun } from "../execution/index.js";
import { registrationOf, thisHost } from "../execution/process-identity.js";
import { RunHeartbeat } from "../execution/run-heartbeat.js";
import { isTerminalRunStatus, ProcessKind } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { loadDefinitionsModule } from "./definitions-module.js";
import { markRunFailed } from "../execution/mark-run-failed.js";
import { RUN_WORKER_ENV, type LauncherToWorker, type RunWorkerPayload, type WorkerToLauncher } from "./run-worker-payload.js";
import { openStorageWith } from "./storage-opener.js";

const cancel = new AbortController();
/** Set once a run was handed over: from then on SIGTERM cancels instead of exiting. */
let busy = false;
let stopIdle: (() => void) | null = null;

process.on("SIGTERM", () => {
  if (busy) cancel.abort();
  else if (stopIdle !== null) stopIdle();
  else process.exit(0);
});

async function main(): Promise<number> {
  const raw = process.env[RUN_WORKER_ENV];
  // User code must not see the storage URL.
  delete process.env[RUN_WORKER_ENV];
  if (raw === undefined || process.send === undefined) {
    process.stderr.write(`Vigil run worker: ${RUN_WORKER_ENV} or the IPC channel is missing; this process is started by the subprocess launcher.\n`);
    return 2;
  }
  const payload = JSON.parse(raw) as RunWorkerPayload;
  const storage = await openStorageWith(payload.storage);
  // Registered before "ready": by the hand-off the launcher records this id on the run, and the
  // run monitor judges the run by this process's heartbeats (its pid only as a same-host fast path).
  const workerArg = process.argv.find((a) => a.startsWith("--worker-id=")) ?? `--worker-id=${process.pid}`;
  const heartbeat = new RunHeartbeat({
    storage,
    process: registrationOf(`${thisHost}/${process.pid}/${workerArg.slice("--worker-id=".length)}`, ProcessKind.WORKER, {
      launcher: "subprocess",
      commandLineId: workerArg,
      definitionsFile: payload.definitionsFile,
    }),
    intervalMs: payload.heartbeat.intervalMs,
    ttlMs: payload.heartbeat.ttlMs,
  });
  try {
    await heartbeat.register();
    let loaded: { definitions: Definitions } | { error: unknown };
    try {
      loaded = { definitions: await loadDefinitionsModule(payload.definitionsFile) };
    } catch (error) {
      // Reported on the run it is given, as "could not start".
      loaded = { error };
    }
    const runId = await waitForRun(heartbeat.processId);
    if (runId === null) return 0;
    return await executeStoredRun(storage, runId, loaded, heartbeat);
  } finally {
    await heartbeat.close();
    await storage.close();
  }
}

/** Says "ready" and resolves with the run id the launcher sends, or null if it goes away first. */
function waitForRun(processId: string): Promise<string | null> {
  return new Promise((resolve) => {
    const done = (runId: string | null): void => {
      stopIdle = null;
      process.off("message", onMessage);
      process.off("disconnect", onDisconnect);
      resolve(runId);
    };
    const onMessage = (message: LauncherToWorker): void => {
      if (message.type !== "run") return;
      busy = true;
      process.off("disconnect", onDisconnect);
      // The run must outlive the launcher's process: drop the channel once the answer is out.
      send({ type: "started", runId: message.runId }, () => {
        if (process.connected) process.disconnect();
      });
      done(message.runId);
    };
    const onDisconnect = (): void => done(null);
    stopIdle = () => done(null);
    process.on("message", onMessage);
    process.once("disconnect", onDisconnect);
    send({ type: "ready", processId });
  });
}

function send(message: WorkerToLauncher, sent?: () => void): void {
  process.send?.(message, undefined, {}, () => sent?.());
}

async function executeStoredRun(storage: Storage, runId: string, loaded: { definitions: Definitions } | { error: unknown }, heartbeat: RunHeartbeat): Promise<number> {
  const run = await storage.getRun(runId);
  if (run === null) {
    process.stderr.write(`Vigil run worker: run "${runId}" does not exist in storage.\n`);
    return 2;
  }
  let execute: () => Promise<unknown>;
  try {
    if ("error" in loaded) throw loaded.error;
    const { definitions } = loaded;
    const job = definitions.getJob(run.jobName);
    execute = () => executeRun(job, runId, storage, { sharedResources: definitions.resources, signal: cancel.signal, heartbeat });
  } catch (error) {
    const message = `Run "${runId}" could not start: ${toError(error).message}`;
    process.stderr.write(`${message}\n`);
    await markRunFailed(storage, run, message, error);
    return 1;
  }
  try {
    await execute();
  } catch (error) {
    // executeRun has recorded the failure when it could; make sure the run is not left running.
    process.stderr.write(`${toError(error).stack ?? String(error)}\n`);
    const now = await storage.getRun(runId);
    if (now !== null && !isTerminalRunStatus(now.status)) {
      await markRunFailed(storage, run, `Run "${runId}" of job "${run.jobName}" failed in its worker process: ${toError(error).message}`, error);
    }
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Vigil run worker failed: ${toError(error).stack ?? String(error)}\n`);
    process.exit(3);
  },
);
