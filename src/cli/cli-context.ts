import type { Command } from "commander";
import type { Definitions } from "../definitions/definitions.js";
import type { AnyJobDefinition } from "../definitions/job.js";
import type { SensorDefinition } from "../definitions/sensor-definition.js";
import { Instance } from "../instance/instance.js";
import { loadDefinitionsModule } from "../launchers/definitions-module.js";
import { Output } from "./output.js";

/** The definitions module used when `-f` is not given. */
export const DEFAULT_DEFINITIONS_FILE = "./defs.ts";

/** The options every command accepts, anywhere after `vigil`. */
export interface GlobalOptions {
  file?: string;
  json?: boolean;
}

/**
 * What a command works with: the global options, its output, and (opened on first use, closed by
 * `close()`) the definitions and the instance. Commands that need no definitions never load them,
 * so `vigil run list` works in a folder without `defs.ts`.
 */
export class CliContext {
  readonly out: Output;
  /** The definitions module path as given (default `./defs.ts`). */
  readonly file: string;
  #definitions: Promise<Definitions> | null = null;
  #instance: Promise<Instance> | null = null;

  constructor(options: GlobalOptions) {
    this.out = new Output({ json: options.json === true });
    this.file = options.file ?? DEFAULT_DEFINITIONS_FILE;
  }

  /** The context of a command, from its options and its ancestors'. */
  static of(command: Command): CliContext {
    return new CliContext(command.optsWithGlobals<GlobalOptions>());
  }

  /** The `Definitions` of `-f FILE`; throws a `DefinitionError` naming the file. */
  definitions(): Promise<Definitions> {
    this.#definitions ??= loadDefinitionsModule(this.file);
    return this.#definitions;
  }

  /** The instance at `$VIGIL_HOME` (default `./.vigil`). */
  instance(): Promise<Instance> {
    this.#instance ??= Instance.open();
    return this.#instance;
  }

  /** The sensor `name`; throws `NotFoundError` listing the known sensors. */
  async sensor(name: string): Promise<SensorDefinition> {
    return (await this.definitions()).getSensor(name) as unknown as SensorDefinition;
  }

  /** The job `name`; throws `NotFoundError` listing the known jobs. */
  async job(name: string): Promise<AnyJobDefinition> {
    return (await this.definitions()).getJob(name);
  }

  /** Closes the instance if it was opened. */
  async close(): Promise<void> {
    const instance = this.#instance;
    this.#instance = null;
    if (instance !== null) await (await instance.catch(() => null))?.close();
  }
}

/** Runs `fn` with the command's context and closes it afterwards. */
export async function withContext<T>(command: Command, fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = CliContext.of(command);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
