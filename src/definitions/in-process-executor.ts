import { InvariantError } from "../errors/index.js";
import type { AssetMaterialization, EventLogEntry, Run } from "../model/index.js";
import type { AnyJobDefinition } from "./job.js";
import type { ResourceLike } from "./resource.js";

/**
 * The part of an `Instance` that `executeInProcess` needs, declared structurally so that
 * definitions do not import `instance/`.
 */
export interface InstanceLike {
  readonly storage: unknown;
}

/** Options of `job.executeInProcess(...)`. */
export interface ExecuteInProcessOptions<TRunConfig = unknown> {
  runConfig?: TRunConfig;
  /** Where the run is stored; an ephemeral instance when omitted. */
  instance?: InstanceLike;
  /**
   * Rethrow a failing op's error (as a `UserCodeError` naming the op) once the run's events are stored.
   * @defaultValue true
   */
  raiseOnError?: boolean;
  /** Run tags, over the job's own tags. */
  tags?: Readonly<Record<string, string>>;
  /** Resources for this run, over the job's own. */
  resources?: Readonly<Record<string, ResourceLike>>;
}

/** The outcome of `job.executeInProcess(...)`. */
export interface ExecuteInProcessResult {
  /** True when the run ended `SUCCESS`. */
  readonly success: boolean;
  /** The finished run, as stored (final status, `endedAt`). */
  readonly run: Run;
  readonly runId: string;
  /** Every event of the run, in storage order. */
  readonly allEvents: readonly EventLogEntry[];
  /** Every asset materialization the run's ops logged, in order. */
  readonly assetMaterializations: readonly AssetMaterialization[];
  /** The value an op returned; throws naming the op if it is unknown or produced no output. */
  outputFor(opName: string): unknown;
  /** The `RUN_SUCCESS` entry; throws if the run did not succeed. */
  getJobSuccessEvent(): EventLogEntry;
  /** The `RUN_FAILURE` entry; throws if the run did not fail. */
  getJobFailureEvent(): EventLogEntry;
}

/** @internal What runs `job.executeInProcess`; registered by the layer that can build an instance. */
export type InProcessExecutor = (job: AnyJobDefinition, options: ExecuteInProcessOptions) => Promise<ExecuteInProcessResult>;

let registered: InProcessExecutor | null = null;

/**
 * @internal Installs the function behind `job.executeInProcess`. `definitions/` cannot import
 * `execution/` or `instance/`, so the instance layer registers one when it loads; the last
 * registration wins.
 *
 * @example
 * registerInProcessExecutor(async (job, options) => {
 *   const instance = options.instance ?? (await Instance.ephemeral());
 *   return executeJobInProcess(job, { ...options, storage: instance.storage });
 * });
 */
export function registerInProcessExecutor(executor: InProcessExecutor | null): void {
  registered = executor;
}

/** @internal The registered executor; throws if none was registered. */
export function getInProcessExecutor(): InProcessExecutor {
  if (registered === null) {
    throw new InvariantError(`job.executeInProcess() was called before an in-process executor was registered; import Vigil from "vigil" (its entry point registers one).`);
  }
  return registered;
}
