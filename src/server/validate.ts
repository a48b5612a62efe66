import type { Context } from "hono";
import { z } from "zod";
import { httpError } from "./http-error.js";

/** Query parameters: parsed against `schema`, or a 400 naming the first bad one. */
export function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  const raw: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    raw[key] = values.length === 1 ? (values[0] ?? "") : values;
  }
  return check(schema, raw, "query parameter");
}

/** A mutation's body: must be JSON (`Content-Type: application/json`) matching `schema`; else 400/415. */
export async function parseJsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw httpError(415, "Mutations take a JSON body; send Content-Type: application/json.");
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw httpError(400, "The request body is not valid JSON.");
  }
  return check(schema, body, "body field");
}

function check<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const path = issue?.path.join(".") ?? "";
  throw httpError(400, `Invalid ${what}${path === "" ? "" : ` "${path}"`}: ${issue?.message ?? "bad value"}.`);
}

/** A page size: 1..max, default `def`. */
export const limitParam = (def: number, max: number) => z.coerce.number().int().min(1).max(max).default(def);

/** A comma-separated (or repeated) list of values from `allowed`. */
export function listParam<const T extends readonly [string, ...string[]]>(allowed: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).filter((s) => s !== ""))
    .pipe(z.array(z.enum(allowed)))
    .optional();
}

/** A path segment naming a definition: printable, bounded. */
export const nameParam = z.string().min(1).max(200).regex(/^[^\u0000-\u001f/\\]+$/, "not a valid name");
