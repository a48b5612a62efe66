import type { z, ZodType } from "zod";

/** The config an op or resource receives: the schema's output, or `{}` when it has no schema. */
export type InferConfigOutput<TSchema extends ZodType | undefined> = TSchema extends ZodType ? z.output<TSchema> : Record<string, never>;

/** The config a user writes for it: the schema's input (defaults may be omitted). */
export type InferConfigInput<TSchema extends ZodType | undefined> = TSchema extends ZodType ? z.input<TSchema> : Record<string, never>;

/** True when a schema accepts a missing config (`{}` or `undefined`), so its run-config entry may be left out. */
export type ConfigIsOptional<TSchema extends ZodType | undefined> = TSchema extends ZodType
  ? undefined extends z.input<TSchema>
    ? true
    : Record<string, never> extends z.input<TSchema>
      ? true
      : false
  : true;
