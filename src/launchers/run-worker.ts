// The entry point of a run worker process, started by `SubprocessLauncher`: opens the storage,
// loads the definitions module, executes one run, exits. Not a module to import.
import { toError } from "../errors/index.js";
import { executeRun } from "../execution/index.js";
import { isTerminalRunStatus } from "../model/index.js";
import type { Storage } from "../storage/storage.js";
import { loadDefinitionsModule } from "./definitions-module.js";
import { markRunFailed } from "./mark-run-failed.js";
import { RUN_WORKER_ENV, type RunWorkerPayload } from "./run-worker-payload.js";
import { openStorageWith } from "./storage-opener.js";

async function main(): Promise<number> {
  const raw = process.env[RUN_WORKER_ENV];
  // User code must not see the storage URL.
  delete process.env[RUN_WORKER_ENV];
  if (raw === undefined) {
    process.stderr.write(`Vigil run worker: ${RUN_WORKER_ENV} is not set; this process is started by the subprocess launcher.\n`);
    return 2;
  }
  const payload = JSON.parse(raw) as RunWorkerPayload;
  const storage = await openStorageWith(payload.storage);
  try {
    return await executeStoredRun(storage, payload);
  } finally {
    await storage.close();
  }
}

async function executeStoredRun(storage: Storage, { runId, definitionsFile }: RunWorkerPayload): Promise<number> {
  const run = await storage.getRun(runId);
  if (run === null) {
    process.stderr.write(`Vigil run worker: run "${runId}" does not exist in storage.\n`);
    return 2;
  }
  let execute: () => Promise<unknown>;
  try {
    const definitions = await loadDefinitionsModule(definitionsFile);
    const job = definitions.getJob(run.jobName);
    execute = () => executeRun(job, runId, storage, { sharedResources: definitions.resources });
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
