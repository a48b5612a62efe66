import { registerInProcessExecutor } from "../definitions/in-process-executor.js";
import { InvalidArgumentError } from "../errors/index.js";
import { executeJobInProcess } from "../execution/index.js";
import { Instance } from "./instance.js";

/**
 * Puts `job.executeInProcess()` to work: definitions cannot build an instance themselves (they sit
 * below this layer), so this module registers the executor when the instance layer loads.
 * Without an `instance` option the run goes to an ephemeral instance, closed once the run ends.
 */
registerInProcessExecutor(async (job, options) => {
  const given = options.instance;
  if (given !== undefined && !(given instanceof Instance)) {
    throw new InvalidArgumentError(`executeInProcess() for job "${job.name}" got an instance that is not a Vigil Instance; pass one from Instance.open() or Instance.ephemeral().`);
  }
  const instance = given ?? (await Instance.ephemeral());
  try {
    return await executeJobInProcess(job, { ...options, storage: instance.storage, heartbeat: instance.runHeartbeat() });
  } finally {
    if (given === undefined) await instance.close();
  }
});

