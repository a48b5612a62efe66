import { describe, expect, it } from "vitest";
import { ErrorCode } from "./codes.js";
import { DefinitionError } from "./definition-error.js";
import { RunConfigValidationError } from "./run-config-validation-error.js";
import { deserializeError, serializeError, toError } from "./serialize-error.js";
import { runUserCode, UserCodeError } from "./user-code-error.js";
import { VigilError } from "./vigil-error.js";

describe("VigilError", () => {
  it("is recognised by code, also after crossing a serialisation boundary", () => {
    const error = new DefinitionError("bad");
    expect(error.name).toBe("DefinitionError");
    expect(VigilError.is(error, ErrorCode.DEFINITION_INVALID)).toBe(true);
    const revived = deserializeError(JSON.parse(JSON.stringify(serializeError(error))));
    expect(revived instanceof VigilError).toBe(false);
    expect(VigilError.is(revived, ErrorCode.DEFINITION_INVALID)).toBe(true);
    expect(VigilError.is(new Error("plain"))).toBe(false);
    expect(VigilError.is({ code: "ENOENT" })).toBe(false);
  });

  it("lists every run config error in its message", () => {
    const error = new RunConfigValidationError("etl", [
      { path: "ops.a.config.x", message: "expected string" },
      { path: "ops.nope", message: 'op "nope" is not in job "etl"' },
    ]);
    expect(error.message).toBe('Run config for job "etl" is invalid (2 errors): ops.a.config.x: expected string; ops.nope: op "nope" is not in job "etl".');
  });
});

describe("runUserCode", () => {
  it("wraps what user code throws, naming the definition and keeping the user's message and stack", async () => {
    const original = new Error("disk full");
    const error = await runUserCode("op", "load", () => {
      throw original;
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserCodeError);
    const e = error as UserCodeError;
    expect(e.message).toBe('Error in op "load": disk full');
    expect(e.userMessage).toBe("disk full");
    expect(e.cause).toBe(original);
    expect(e.stack).toContain("errors.test.ts");
  });

  it("turns thrown non-errors into errors", () => {
    expect(toError("boom").message).toBe("boom");
    expect(toError({ message: "m", name: "N" }).name).toBe("N");
    expect(toError(42).message).toBe("A non-error value was thrown: 42");
    expect(toError(undefined).message).toBe("A non-error value was thrown: undefined");
  });

  it("serialises the cause chain with codes", () => {
    const inner = new DefinitionError("inner");
    const outer = new Error("outer", { cause: inner });
    const data = serializeError(outer);
    expect(data.message).toBe("outer");
    expect(data.cause?.code).toBe("DEFINITION_INVALID");
  });
});
