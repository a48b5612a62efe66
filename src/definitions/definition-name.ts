import { DefinitionError } from "../errors/index.js";

const NAME_PATTERN = /^[A-Za-z0-9_]+$/;

/** @internal Throws a `DefinitionError` naming `value` unless it is a valid name (`^[A-Za-z0-9_]+$`). */
export function assertValidName(kind: "Op" | "Job" | "Resource key" | "Definitions", value: unknown): asserts value is string {
  if (typeof value !== "string" || !NAME_PATTERN.test(value)) {
    throw new DefinitionError(
      `${kind} name ${JSON.stringify(value) ?? String(value)} is invalid; use only letters, digits and underscores (^[A-Za-z0-9_]+$).`,
    );
  }
}
