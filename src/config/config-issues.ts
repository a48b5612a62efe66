import type { ZodType } from "zod";
import type { RunConfigError } from "../errors/index.js";

/** The outcome of parsing one config value: the parsed value, or every problem found. */
export type ConfigParseResult = { ok: true; value: unknown } | { ok: false; errors: RunConfigError[] };

/** Joins a base path and the segments under it into a dotted path (`ops.a.config.x.0`). */
export function joinConfigPath(base: string, segments: readonly PropertyKey[] = []): string {
  const rest = segments.map((s) => String(s));
  return [base, ...rest].filter((s) => s.length > 0).join(".");
}

/**
 * Parses `value` with `schema` and reports every issue at a dotted path under `basePath`.
 * A missing object is parsed as `{}`, so a schema whose fields all have defaults needs no config
 * and a schema with required fields names each missing field, not the whole object.
 *
 * @example
 * parseConfigValue(z.object({ url: z.string() }), undefined, "resources.db.config")
 * // { ok: false, errors: [{ path: "resources.db.config.url", message: "missing required value (expected string)" }] }
 */
export function parseConfigValue(schema: ZodType, value: unknown, basePath: string): ConfigParseResult {
  const direct = schema.safeParse(value);
  if (direct.success) return { ok: true, value: direct.data };
  if (value === undefined) {
    const empty = schema.safeParse({});
    if (empty.success) return { ok: true, value: empty.data };
    // Report against `{}` only when it gets further than `undefined` did (an object schema).
    const rootIssueOnly = direct.error.issues.every((i) => i.path.length === 0);
    const emptyGotFurther = empty.error.issues.some((i) => i.path.length > 0);
    if (rootIssueOnly && emptyGotFurther) return { ok: false, errors: toConfigErrors(empty.error.issues, basePath) };
  }
  return { ok: false, errors: toConfigErrors(direct.error.issues, basePath) };
}

interface IssueLike {
  readonly code?: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly expected?: unknown;
  readonly keys?: readonly string[];
}

function toConfigErrors(issues: readonly IssueLike[], basePath: string): RunConfigError[] {
  return issues.flatMap((issue) => {
    const path = joinConfigPath(basePath, issue.path);
    if (issue.code === "unrecognized_keys" && issue.keys) {
      // One entry per unknown key, at its own path, so every bad key is named where it is.
      return issue.keys.map((key) => ({ path: joinConfigPath(path, [key]), message: `unknown key "${key}"; remove it` }));
    }
    if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
      return [{ path, message: `missing required value (expected ${String(issue.expected)})` }];
    }
    return [{ path, message: issue.message }];
  });
}
