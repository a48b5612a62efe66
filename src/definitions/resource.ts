import type { z, ZodType } from "zod";
import { parseConfigValue, ResourceConfigError, type InferConfigOutput } from "../config/index.js";
import { DefinitionError, runUserCode, UserCodeError, type RunConfigError } from "../errors/index.js";
import { assertValidName } from "./definition-name.js";

/** Where a resource's `init` writes log lines (the run's event log during a run; nowhere otherwise). */
export interface ResourceLogger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** What a resource's `init` receives. */
export interface ResourceInitContext<TConfig = Record<string, never>, TResources = Readonly<Record<string, unknown>>> {
  /** The resource's config, parsed by its schema (defaults applied). */
  readonly config: TConfig;
  /** The initialised resources named by `requiredResourceKeys`. */
  readonly resources: TResources;
  readonly log: ResourceLogger;
}

/** Options of `resource(...)`. */
export interface ResourceOptions<TValue, TConfig extends ZodType | undefined = undefined, TKeys extends string = never> {
  init: (context: ResourceInitContext<InferConfigOutput<TConfig>, Readonly<Record<TKeys, unknown>>>) => TValue | Promise<TValue>;
  config?: TConfig;
  /** Other resources this one needs; they are initialised first. */
  requiredResourceKeys?: readonly TKeys[];
  /** Releases the value; runs in reverse init order, also when a later init fails. */
  teardown?: (value: TValue) => void | Promise<void>;
  description?: string;
}

const resourceBrand = Symbol.for("vigil.resource");

/** A resource definition: how to build (and tear down) a value that ops and sensors share. */
export interface ResourceDefinition<TValue = unknown, TConfig extends ZodType | undefined = ZodType | undefined> {
  readonly [resourceBrand]: true;
  readonly config: ZodType | null;
  readonly requiredResourceKeys: readonly string[];
  readonly description: string | null;
  /** @internal */
  readonly init: (context: ResourceInitContext<unknown, Readonly<Record<string, unknown>>>) => TValue | Promise<TValue>;
  /** @internal */
  readonly teardown: ((value: TValue) => void | Promise<void>) | null;
  /** @internal Types only. */
  readonly "~config"?: TConfig;
}

/** A resource as accepted everywhere: a definition, or any plain value (used as is). */
export type ResourceLike = ResourceDefinition<unknown, ZodType | undefined> | string | number | boolean | bigint | symbol | object | null;

/** The value a resource provides once initialised. */
export type InferResourceValue<T> = T extends ResourceDefinition<infer V, ZodType | undefined> ? V : T;

/** The initialised resources of a record of resource definitions. */
export type InferResources<TDefs> = { readonly [K in keyof TDefs]: InferResourceValue<TDefs[K]> };

/** The config input a record of resources takes, keyed by resource key. */
export type InferResourcesConfig<TDefs> = {
  [K in keyof TDefs]?: TDefs[K] extends ResourceDefinition<infer _TValue, infer C> ? (C extends ZodType ? z.input<C> : never) : never;
};

/**
 * Defines a resource: a value built once per run (or per `buildResources`) from config and other
 * resources, and torn down afterwards.
 *
 * @example
 * const db = resource({
 *   config: z.object({ url: z.string() }),
 *   init: ({ config }) => connect(config.url),
 *   teardown: (conn) => conn.close(),
 * });
 */
export function resource<TValue, TConfig extends ZodType | undefined = undefined, const TKeys extends string = never>(
  options: ResourceOptions<TValue, TConfig, TKeys>,
): ResourceDefinition<TValue, TConfig> {
  if (typeof options !== "object" || options === null || typeof options.init !== "function") {
    throw new DefinitionError(`resource() needs an options object with an init function, such as resource({ init: () => value }).`);
  }
  if (options.teardown !== undefined && typeof options.teardown !== "function") {
    throw new DefinitionError(`resource() was given a teardown that is not a function; pass (value) => { ... } or leave it out.`);
  }
  const config = options.config ?? null;
  if (config !== null && typeof (config as { safeParse?: unknown }).safeParse !== "function") {
    throw new DefinitionError(`resource() was given a config that is not a zod schema; pass one such as z.object({ ... }).`);
  }
  return Object.freeze({
    [resourceBrand]: true as const,
    config,
    requiredResourceKeys: Object.freeze([...(options.requiredResourceKeys ?? [])]),
    description: options.description ?? null,
    init: options.init as ResourceDefinition<TValue>["init"],
    teardown: options.teardown ?? null,
  });
}

/**
 * True when `value` was made by `resource(...)` (a plain value used as a resource is not).
 *
 * @example
 * isResourceDefinition(resource({ init: () => 1 })); // true
 */
export function isResourceDefinition(value: unknown): value is ResourceDefinition {
  return typeof value === "object" && value !== null && (value as { [resourceBrand]?: unknown })[resourceBrand] === true;
}

/** @internal A plain value as a resource definition. */
export function toResourceDefinition(value: ResourceLike): ResourceDefinition {
  if (isResourceDefinition(value)) return value;
  return Object.freeze({
    [resourceBrand]: true as const,
    config: null,
    requiredResourceKeys: Object.freeze([]),
    description: null,
    init: () => value,
    teardown: null,
  });
}

/** The handle `buildResources` returns: each resource as a property, plus disposal. */
export type ResourcesHandle<TDefs> = InferResources<TDefs> & {
  /** Tears the resources down in reverse init order; safe to call twice. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

/** Options of `buildResources`. */
export interface BuildResourcesOptions<TDefs> {
  /** Config per resource key, parsed by each resource's schema. */
  config?: InferResourcesConfig<TDefs>;
  /** Where resource inits log; silent by default. */
  log?: ResourceLogger;
}

const RESERVED_KEYS = new Set(["dispose", "then"]);

/**
 * @internal Checks a record of resources as a graph: valid keys, every required key supplied, no
 * cycle. Returns the keys in init order (dependencies first, otherwise in the given order).
 */
export function planResources(defs: Readonly<Record<string, ResourceDefinition>>): string[] {
  for (const key of Object.keys(defs)) {
    assertValidName("Resource key", key);
    if (RESERVED_KEYS.has(key)) throw new DefinitionError(`Resource key "${key}" is reserved; choose another name.`);
  }
  for (const [key, def] of Object.entries(defs)) {
    for (const required of def.requiredResourceKeys) {
      if (!(required in defs)) {
        throw new DefinitionError(`Resource "${key}" requires resource "${required}", which is not provided; add "${required}" to the resources.`);
      }
    }
  }
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (key: string, path: string[]): void => {
    const seen = state.get(key);
    if (seen === "done") return;
    if (seen === "visiting") {
      const cycle = [...path.slice(path.indexOf(key)), key].join(" -> ");
      throw new DefinitionError(`Resources depend on each other in a cycle (${cycle}); remove one of these requiredResourceKeys.`);
    }
    state.set(key, "visiting");
    for (const required of defs[key]?.requiredResourceKeys ?? []) visit(required, [...path, key]);
    state.set(key, "done");
    order.push(key);
  };
  for (const key of Object.keys(defs)) visit(key, []);
  return order;
}

/** @internal Parses each resource's config; throws one `ResourceConfigError` listing every error. */
export function parseResourcesConfig(defs: Readonly<Record<string, ResourceDefinition>>, config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const parsed: Record<string, unknown> = {};
  const errors: RunConfigError[] = [];
  const badKeys: string[] = [];
  for (const key of Object.keys(config)) {
    if (!(key in defs)) {
      errors.push({ path: key, message: `resource "${key}" is not among the resources; known resources: ${Object.keys(defs).join(", ") || "(none)"}` });
      badKeys.push(key);
    }
  }
  for (const [key, def] of Object.entries(defs)) {
    if (def.config === null) {
      if (config[key] !== undefined) {
        errors.push({ path: key, message: `resource "${key}" takes no config; remove it or give the resource a config schema` });
        badKeys.push(key);
      }
      continue;
    }
    const result = parseConfigValue(def.config, config[key], key);
    if (result.ok) parsed[key] = result.value;
    else {
      errors.push(...result.errors);
      badKeys.push(key);
    }
  }
  if (errors.length > 0) throw new ResourceConfigError(badKeys, errors);
  return parsed;
}

const silentLogger: ResourceLogger = Object.freeze({ debug() {}, info() {}, warning() {}, error() {} });

/**
 * @internal Initialises resources whose config is already parsed, in dependency order; on a failing
 * init, tears down what was built (reverse order) and throws the init's `UserCodeError`.
 */
export async function initResources(
  defs: Readonly<Record<string, ResourceDefinition>>,
  parsedConfig: Readonly<Record<string, unknown>>,
  log: ResourceLogger = silentLogger,
): Promise<{ values: Record<string, unknown>; dispose: () => Promise<void> }> {
  const order = planResources(defs);
  const values: Record<string, unknown> = {};
  const built: string[] = [];
  let disposed: Promise<void> | null = null;
  const dispose = (): Promise<void> => (disposed ??= teardownAll(defs, values, built));
  for (const key of order) {
    const def = defs[key];
    if (def === undefined) continue;
    const resources = Object.freeze(Object.fromEntries(def.requiredResourceKeys.map((k) => [k, values[k]])));
    const config = parsedConfig[key] ?? Object.freeze({});
    try {
      values[key] = await runUserCode("resource", key, () => def.init({ config, resources, log }));
    } catch (error) {
      await dispose().catch(() => undefined);
      throw error;
    }
    built.push(key);
  }
  return { values, dispose };
}

async function teardownAll(defs: Readonly<Record<string, ResourceDefinition>>, values: Record<string, unknown>, built: readonly string[]): Promise<void> {
  const failures: UserCodeError[] = [];
  for (const key of [...built].reverse()) {
    const teardown = defs[key]?.teardown;
    if (!teardown) continue;
    try {
      await runUserCode("teardown", key, () => teardown(values[key]));
    } catch (error) {
      failures.push(error instanceof UserCodeError ? error : new UserCodeError("teardown", key, error));
    }
  }
  // Every teardown ran; report the first failure (the others are in its message).
  const [first, ...rest] = failures;
  if (first !== undefined && rest.length === 0) throw first;
  if (first !== undefined) throw new UserCodeError("teardown", failures.map((f) => f.definitionName).join(", "), new Error(failures.map((f) => f.message).join("; ")));
}

/** @internal Normalises a record of `ResourceLike`s into definitions. */
export function toResourceDefinitions(defs: Readonly<Record<string, ResourceLike>>): Record<string, ResourceDefinition> {
  if (typeof defs !== "object" || defs === null) throw new DefinitionError(`Resources must be an object keyed by resource key, such as { db: dbResource }.`);
  return Object.fromEntries(Object.entries(defs).map(([key, value]) => [key, toResourceDefinition(value)]));
}

/**
 * Initialises resources outside a run (in a test or a script). Dependencies resolve in order;
 * `dispose()` (or `await using`) tears them down in reverse.
 *
 * @example
 * await using r = await buildResources({ db: dbResource, retries: 3 }, { config: { db: { url: "sqlite://" } } });
 * await r.db.query("select 1");
 */
export async function buildResources<TDefs extends Readonly<Record<string, ResourceLike>>>(
  defs: TDefs,
  options: BuildResourcesOptions<TDefs> = {},
): Promise<ResourcesHandle<TDefs>> {
  const definitions = toResourceDefinitions(defs);
  planResources(definitions);
  const parsed = parseResourcesConfig(definitions, (options.config ?? {}) as Record<string, unknown>);
  const { values, dispose } = await initResources(definitions, parsed, options.log);
  const handle = Object.assign(Object.create(null) as object, values, { dispose, [Symbol.asyncDispose]: dispose });
  return Object.freeze(handle) as ResourcesHandle<TDefs>;
}

/**
 * Builds resources, calls `fn` with them, and tears them down however `fn` ends.
 *
 * @example
 * const rows = await withResources({ db: dbResource }, (r) => r.db.query("select 1"), { config: { db: { url } } });
 */
export async function withResources<TDefs extends Readonly<Record<string, ResourceLike>>, TResult>(
  defs: TDefs,
  fn: (resources: InferResources<TDefs>) => TResult | Promise<TResult>,
  options: BuildResourcesOptions<TDefs> = {},
): Promise<TResult> {
  const handle = await buildResources(defs, options);
  try {
    return await fn(handle);
  } finally {
    await handle.dispose();
  }
}
