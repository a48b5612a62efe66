import type { ZodType } from "zod";
import type { RunConfigShape } from "../config/index.js";
import { reservedTagIn, reservedTagMessage } from "./reserved-tags.js";
import { DefinitionError } from "../errors/index.js";
import { assertValidName } from "./definition-name.js";
import { buildGraph, type JobNode } from "./graph.js";
import { getInProcessExecutor, type ExecuteInProcessOptions, type ExecuteInProcessResult } from "./in-process-executor.js";
import type { OpRunConfigEntry, OpsConfigOfHandles } from "./op.js";
import type { OutputHandle } from "./output-handle.js";
import { planResources, toResourceDefinitions, type ResourceDefinition, type ResourceLike } from "./resource.js";

/** Options of `job(...)`. */
export interface JobOptions<TResources extends Readonly<Record<string, ResourceLike>> = Readonly<Record<string, ResourceLike>>> {
  /** Unique within a `Definitions`; letters, digits and underscores. */
  name: string;
  description?: string;
  /** Tags every run of the job gets (a run's own tags win). */
  tags?: Readonly<Record<string, string>>;
  /** Resources the job's ops use; built once per run. */
  resources?: TResources;
}

/** Run config of any job, loosely: `{ ops: { [op]: { config } }, resources: { [key]: { config } } }`. */
export interface RunConfigInput {
  ops?: Record<string, { config?: unknown } | undefined>;
  resources?: Record<string, { config?: unknown } | undefined>;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type LooseSection = Record<string, { config?: unknown } | undefined>;

/** The op run config recorded by what a job body returns; loose when it returns nothing. */
type OpsConfigOf<TBodyResult> =
  TBodyResult extends OutputHandle<unknown, infer C>
    ? C
    : TBodyResult extends readonly unknown[]
      ? OpsConfigOfHandles<TBodyResult>
      : TBodyResult extends Readonly<Record<string, OutputHandle>>
        ? UnionToIntersection<{ [K in keyof TBodyResult]: TBodyResult[K] extends OutputHandle<unknown, infer C> ? C : unknown }[keyof TBodyResult]>
        : LooseSection;

type ResourceSchemaOf<T> = T extends ResourceDefinition<infer _TValue, infer C> ? C : undefined;

/** The resources section: typed for the job's own resources, open for keys supplied by `Definitions`. */
type ResourcesConfigOf<TResources> = [keyof TResources] extends [never]
  ? LooseSection
  : UnionToIntersection<{ [K in keyof TResources & string]: OpRunConfigEntry<K, ResourceSchemaOf<TResources[K]>> }[keyof TResources & string]> & LooseSection;

type Section<TKey extends string, T> = Record<string, never> extends T ? { [K in TKey]?: Simplify<T> } : { [K in TKey]: Simplify<T> };

/** A job's run-config input type, from its ops' and resources' config schemas. */
export type JobRunConfig<TBodyResult, TResources> = Simplify<Section<"ops", OpsConfigOf<TBodyResult>> & Section<"resources", ResourcesConfigOf<TResources>>>;

/** What every job definition has, whatever its types. */
export interface AnyJobDefinition {
  readonly name: string;
  readonly description: string | null;
  readonly tags: Readonly<Record<string, string>>;
  /** The job's own resources (plain values wrapped as definitions). */
  readonly resources: Readonly<Record<string, ResourceDefinition>>;
  /** The op nodes, in the order the body called them. */
  readonly nodes: readonly JobNode[];
  /** For each node, the nodes whose outputs it takes, in input order. */
  readonly dependencies: Readonly<Record<string, readonly string[]>>;
  /** Every resource key the job's ops require. */
  readonly requiredResourceKeys: readonly string[];
  /**
   * @internal The structural description run config is validated against; `resources` adds (or
   * overrides) resource definitions, as `executeInProcess({ resources })` does.
   */
  runConfigShape(resources?: Readonly<Record<string, ResourceDefinition>>): RunConfigShape;
  /**
   * Runs the job in this process and waits for it to finish.
   *
   * @example
   * const result = await etl.executeInProcess({ runConfig: { ops: { total: {} } } });
   * result.outputFor("total"); // 6
   */
  executeInProcess(options?: ExecuteInProcessOptions): Promise<ExecuteInProcessResult>;
}

/** A job: a graph of ops, with resources and tags. `TRunConfig` is the run config it takes. */
export interface JobDefinition<TRunConfig = RunConfigInput> extends AnyJobDefinition {
  executeInProcess(options?: ExecuteInProcessOptions<TRunConfig>): Promise<ExecuteInProcessResult>;
  /** @internal Types only. */
  readonly "~runConfig"?: TRunConfig;
}

/**
 * The run config a job takes, as a type. Ops are seen when the job body returns their handles
 * (`() => total(extract())`); a body that returns nothing gives a loose `ops` section.
 */
export type InferRunConfig<TJob> = TJob extends JobDefinition<infer C> ? C : never;

/**
 * Defines a job. The body runs once, now: each op call adds a node, and passing an op's output
 * handle to another op makes a dependency. Return the final handle(s) to type the job's run config.
 *
 * @example
 * const etl = job({ name: "etl", tags: { team: "data" } }, () => total(extract()));
 */
export function job<TBodyResult, TResources extends Readonly<Record<string, ResourceLike>> = Record<never, never>>(
  options: JobOptions<TResources>,
  body: () => TBodyResult,
): JobDefinition<JobRunConfig<TBodyResult, TResources>> {
  if (typeof options !== "object" || options === null) {
    throw new DefinitionError(`job() needs an options object such as { name: "my_job" } as its first argument, not ${options === null ? "null" : typeof options}.`);
  }
  assertValidName("Job", options.name);
  const name = options.name;
  if (typeof body !== "function") {
    throw new DefinitionError(`Job "${name}" needs a body function as job()'s second argument, such as () => { myOp(); }.`);
  }
  const reserved = reservedTagIn(options.tags ?? {});
  if (reserved !== null) throw new DefinitionError(reservedTagMessage(`Job "${name}"`, reserved));
  const resources = Object.freeze(toResourceDefinitions(options.resources ?? {}));
  planResources(resources);
  const { nodes } = buildGraph(name, body);
  const dependencies = Object.freeze(Object.fromEntries(nodes.map((n) => [n.name, n.inputs])));
  const requiredResourceKeys = Object.freeze([...new Set(nodes.flatMap((n) => n.op.requiredResourceKeys))]);
  const definition: AnyJobDefinition = {
    name,
    description: options.description ?? null,
    tags: Object.freeze({ ...(options.tags ?? {}) }),
    resources,
    nodes,
    dependencies,
    requiredResourceKeys,
    runConfigShape(extra = {}) {
      const merged = { ...resources, ...extra };
      const keys = [...new Set([...Object.keys(merged), ...requiredResourceKeys])];
      return {
        jobName: name,
        ops: nodes.map((n) => ({ name: n.name, config: n.op.config })),
        // A required key with no definition here is supplied elsewhere (Definitions): its config is open.
        resources: keys.map((key) => ({ key, config: merged[key] === undefined ? ("any" as const) : (merged[key].config as ZodType | null) })),
      };
    },
    executeInProcess(runOptions = {}) {
      return getInProcessExecutor()(definition, runOptions);
    },
  };
  return Object.freeze(definition) as JobDefinition<JobRunConfig<TBodyResult, TResources>>;
}
