import type { AssetMaterialization } from "../model/index.js";

/** Writes LOG events to the run's event log, at the given level. */
export interface OpLogger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/**
 * What an op's function receives as its first argument.
 *
 * @example
 * const hello = op({ name: "hello", config: z.object({ who: z.string() }) }, (context) => {
 *   context.log.info(`hello ${context.opConfig.who} from run ${context.runId}`);
 * });
 */
export interface OpContext<TConfig = Record<string, never>, TResources = Readonly<Record<string, unknown>>> {
  /** This op's config from `runConfig.ops.<name>.config`, parsed by its schema (defaults applied). */
  readonly opConfig: TConfig;
  readonly log: OpLogger;
  readonly runId: string;
  readonly jobName: string;
  /** The op's name in the job (its alias, such as `extract_2`, when called more than once). */
  readonly opName: string;
  /** The initialised resources named by the op's `requiredResourceKeys`. */
  readonly resources: TResources;
  /** Records an event (an asset materialization) in the run's event log. */
  logEvent(event: AssetMaterialization): void;
}
