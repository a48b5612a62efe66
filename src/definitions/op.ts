import type { ZodType } from "zod";
import type { ConfigIsOptional, InferConfigInput, InferConfigOutput } from "../config/index.js";
import { DefinitionError, InvalidArgumentError } from "../errors/index.js";
import { assertValidName } from "./definition-name.js";
import { currentGraphBuilder } from "./graph.js";
import type { OpContext } from "./op-context.js";
import type { OutputHandle } from "./output-handle.js";

/** Options of `op(...)`. */
export interface OpOptions<TName extends string = string, TConfig extends ZodType | undefined = ZodType | undefined, TKeys extends string = string> {
  /** Unique within a job; letters, digits and underscores. */
  name: TName;
  /** A zod schema for `runConfig.ops.<name>.config`; `context.opConfig` is typed from it. */
  config?: TConfig;
  description?: string;
  /** Resource keys the op reads from `context.resources`; the job or `Definitions` must supply them. */
  requiredResourceKeys?: readonly TKeys[];
  tags?: Readonly<Record<string, string>>;
}

/** The resources an op with `requiredResourceKeys: TKeys[]` sees. Their types are not known here. */
export type OpResources<TKeys extends string> = Readonly<Record<TKeys, unknown>>;

/** The run-config entry an op contributes to its job, keyed by op name; optional when it needs no config. */
export type OpRunConfigEntry<TName extends string, TConfig extends ZodType | undefined> =
  ConfigIsOptional<TConfig> extends true
    ? { [K in TName]?: { config?: InferConfigInput<TConfig> } }
    : { [K in TName]: { config: InferConfigInput<TConfig> } };

/** Turns an op's input types into the handle types its call inside a job body accepts. */
export type HandlesFor<TInputs extends readonly unknown[]> = { [K in keyof TInputs]: OutputHandle<TInputs[K], unknown> };

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The run config recorded by a list of handles (for types only). */
export type OpsConfigOfHandles<THandles extends readonly unknown[]> = UnionToIntersection<
  { [K in keyof THandles]: THandles[K] extends OutputHandle<unknown, infer C> ? C : unknown }[number]
>;

/** @internal The untyped op function as the executor calls it. */
export type OpCompute = (context: OpContext<unknown, Readonly<Record<string, unknown>>>, inputs: readonly unknown[]) => unknown;

/** What every op definition has, whatever its types: what a job and the executor use. */
export interface AnyOpDefinition {
  readonly name: string;
  readonly description: string | null;
  /** The config schema, or null when the op takes no config. */
  readonly config: ZodType | null;
  readonly requiredResourceKeys: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** @internal Calls the user's function. */
  readonly compute: OpCompute;
}

/**
 * An op: a named, typed unit of work. Inside a job body, call it with the output handles of its
 * inputs; it returns the handle of its own output.
 */
export interface OpDefinition<TName extends string = string, TConfig extends ZodType | undefined = ZodType | undefined, TInputs extends readonly unknown[] = readonly unknown[], TOutput = unknown>
  extends AnyOpDefinition {
  <const THandles extends HandlesFor<TInputs>>(...inputs: THandles): OutputHandle<Awaited<TOutput>, OpRunConfigEntry<TName, TConfig> & OpsConfigOfHandles<THandles>>;
  readonly name: TName;
}

/**
 * Defines an op. `fn(context, ...inputs)` may be sync or async; what it returns is the op's output.
 * `context.opConfig` is typed from the `config` schema's output.
 *
 * @example
 * const extract = op({ name: "extract" }, async () => [1, 2, 3]);
 * const total = op({ name: "total" }, (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
 * const etl = job({ name: "etl" }, () => total(extract()));
 */
export function op<const TName extends string, TInputs extends unknown[], TOutput, TConfig extends ZodType | undefined = undefined, const TKeys extends string = never>(
  options: OpOptions<TName, TConfig, TKeys>,
  fn: (context: OpContext<InferConfigOutput<TConfig>, OpResources<TKeys>>, ...inputs: TInputs) => TOutput,
): OpDefinition<TName, TConfig, TInputs, TOutput> {
  const compiled = compileOpOptions(options, fn);
  const name = compiled.name;
  const definition = function (this: unknown, ...args: unknown[]): OutputHandle {
    const builder = currentGraphBuilder();
    if (builder === null) {
      throw new InvalidArgumentError(
        `Op "${name}" was called outside a job body; call ops only inside job({ name }, () => { ... }), where a call adds the op to the job's graph.`,
      );
    }
    return builder.addNode(definition as unknown as AnyOpDefinition, args);
  };
  Object.defineProperty(definition, "name", { value: name });
  Object.assign(definition, { description: compiled.description, config: compiled.config, requiredResourceKeys: compiled.requiredResourceKeys, tags: compiled.tags, compute: compiled.compute });
  return Object.freeze(definition) as unknown as OpDefinition<TName, TConfig, TInputs, TOutput>;
}

function compileOpOptions(options: OpOptions, fn: unknown): AnyOpDefinition {
  if (typeof options !== "object" || options === null) {
    throw new DefinitionError(`op() needs an options object such as { name: "my_op" } as its first argument, not ${options === null ? "null" : typeof options}.`);
  }
  assertValidName("Op", options.name);
  if (typeof fn !== "function") {
    throw new DefinitionError(`Op "${options.name}" needs a function as op()'s second argument, not ${fn === null ? "null" : typeof fn}.`);
  }
  const config = options.config ?? null;
  if (config !== null && typeof (config as { safeParse?: unknown }).safeParse !== "function") {
    throw new DefinitionError(`Op "${options.name}" has a config that is not a zod schema; pass one such as z.object({ ... }).`);
  }
  const userFn = fn as (context: unknown, ...inputs: unknown[]) => unknown;
  return {
    name: options.name,
    description: options.description ?? null,
    config,
    requiredResourceKeys: Object.freeze([...(options.requiredResourceKeys ?? [])]),
    tags: Object.freeze({ ...(options.tags ?? {}) }),
    compute: (context, inputs) => userFn(context, ...inputs),
  };
}
