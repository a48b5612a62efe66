import type { ZodType } from "zod";
import type { RunConfigError } from "../errors/index.js";
import { parseConfigValue } from "./config-issues.js";

/**
 * What run-config validation needs to know about a job, as plain structure: `config/` sits below
 * `definitions/`, so it never sees an `OpDefinition` or a `JobDefinition`.
 */
export interface RunConfigShape {
  /** The job's name, for messages. */
  readonly jobName: string;
  /** Every op node (by its name in the job, aliases included) and its config schema, if any. */
  readonly ops: readonly { readonly name: string; readonly config: ZodType | null }[];
  /**
   * Every resource key the job knows. `config: null` takes no config; `config: "any"` is a key
   * whose definition is supplied elsewhere (Definitions), so its config is checked when it is built.
   */
  readonly resources: readonly { readonly key: string; readonly config: ZodType | null | "any" }[];
}

/** Run config after validation: every op with a config schema has its parsed config (defaults applied). */
export interface ParsedRunConfig {
  readonly ops: Readonly<Record<string, { readonly config: unknown }>>;
  readonly resources: Readonly<Record<string, { readonly config: unknown }>>;
}

/** The outcome of `checkRunConfig`: parsed config, or every error found. */
export type RunConfigCheck = { ok: true; value: ParsedRunConfig } | { ok: false; errors: RunConfigError[] };

const TOP_LEVEL_KEYS = ["ops", "resources"] as const;

/**
 * Validates run config (`{ ops: { [op]: { config } }, resources: { [key]: { config } } }`) against a
 * job's shape, collecting every error rather than stopping at the first.
 *
 * @example
 * checkRunConfig({ jobName: "etl", ops: [{ name: "a", config: null }], resources: [] }, { ops: { nope: {} } })
 * // { ok: false, errors: [{ path: "ops.nope", message: 'op "nope" is not in job "etl"; known ops: a' }] }
 */
export function checkRunConfig(shape: RunConfigShape, runConfig: unknown): RunConfigCheck {
  const errors: RunConfigError[] = [];
  const root = runConfig === undefined || runConfig === null ? {} : runConfig;
  if (!isPlainObject(root)) {
    return { ok: false, errors: [{ path: "", message: `run config must be an object like { ops: {...}, resources: {...} }, not ${describe(root)}` }] };
  }
  for (const key of Object.keys(root)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      errors.push({ path: key, message: `unknown key "${key}"; allowed keys: ${TOP_LEVEL_KEYS.join(", ")}` });
    }
  }
  const ops = checkSection(errors, "ops", root.ops, shape.ops.map((o) => ({ name: o.name, config: o.config })), (name) =>
    `op "${name}" is not in job "${shape.jobName}"; known ops: ${listOrNone(shape.ops.map((o) => o.name))}`,
  );
  const resources = checkSection(errors, "resources", root.resources, shape.resources.map((r) => ({ name: r.key, config: r.config })), (name) =>
    `resource "${name}" is not in job "${shape.jobName}"; known resources: ${listOrNone(shape.resources.map((r) => r.key))}`,
  );
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: Object.freeze({ ops, resources }) };
}

type Entry = { name: string; config: ZodType | null | "any" };

/** Checks `ops` or `resources`: known names only, `{ config }` entries, each config parsed. */
function checkSection(
  errors: RunConfigError[],
  section: "ops" | "resources",
  value: unknown,
  entries: readonly Entry[],
  unknownMessage: (name: string) => string,
): Record<string, { config: unknown }> {
  const out: Record<string, { config: unknown }> = {};
  const given = value === undefined || value === null ? {} : value;
  if (!isPlainObject(given)) {
    errors.push({ path: section, message: `must be an object keyed by ${section === "ops" ? "op name" : "resource key"}, not ${describe(given)}` });
    return out;
  }
  const known = new Set(entries.map((e) => e.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) errors.push({ path: `${section}.${name}`, message: unknownMessage(name) });
  }
  const noun = section === "ops" ? "op" : "resource";
  for (const entry of entries) {
    const base = `${section}.${entry.name}`;
    const raw = given[entry.name];
    let config: unknown = undefined;
    if (raw !== undefined && raw !== null) {
      if (!isPlainObject(raw)) {
        errors.push({ path: base, message: `must be an object like { config: ... }, not ${describe(raw)}` });
        continue;
      }
      for (const key of Object.keys(raw)) {
        if (key !== "config") errors.push({ path: `${base}.${key}`, message: `unknown key "${key}"; allowed keys: config` });
      }
      config = raw.config;
    }
    if (entry.config === "any") {
      if (config !== undefined) out[entry.name] = { config };
    } else if (entry.config === null) {
      if (config !== undefined && !(isPlainObject(config) && Object.keys(config).length === 0)) {
        errors.push({ path: `${base}.config`, message: `${noun} "${entry.name}" takes no config; remove it or give the ${noun} a config schema` });
      }
    } else {
      const parsed = parseConfigValue(entry.config, config, `${base}.config`);
      if (parsed.ok) out[entry.name] = { config: parsed.value };
      else errors.push(...parsed.errors);
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function listOrNone(names: readonly string[]): string {
  return names.length > 0 ? names.join(", ") : "(none)";
}
