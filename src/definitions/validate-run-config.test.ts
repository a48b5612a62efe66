import { describe, expect, test } from "vitest";
import { z } from "zod";
import { RunConfigValidationError } from "../errors/index.js";
import { job } from "./job.js";
import { op } from "./op.js";
import { resource } from "./resource.js";
import { validateRunConfig } from "./validate-run-config.js";

const processFile = op({ name: "process_file", config: z.object({ filename: z.string(), retries: z.number().default(3) }) }, () => 1);
const report = op({ name: "report" }, (_ctx, n: number) => n);
const db = resource({ config: z.object({ url: z.string() }), init: ({ config }) => config.url });
const needsCache = op({ name: "uses_cache", requiredResourceKeys: ["cache"] }, () => 1);
const x = job({ name: "x", resources: { db } }, () => {
  report(processFile());
  needsCache();
});

function errorsOf(config: unknown): unknown {
  try {
    validateRunConfig(x, config as never);
  } catch (error) {
    expect(error).toBeInstanceOf(RunConfigValidationError);
    return (error as RunConfigValidationError).errors;
  }
  throw new Error("expected a RunConfigValidationError");
}

describe("validateRunConfig", () => {
  test("returns the parsed config with defaults applied", () => {
    const parsed = validateRunConfig(x, { ops: { process_file: { config: { filename: "a.csv" } } }, resources: { db: { config: { url: "u" } }, cache: { config: { any: 1 } } } });
    expect(parsed).toEqual({
      ops: { process_file: { config: { filename: "a.csv", retries: 3 } } },
      resources: { db: { config: { url: "u" } }, cache: { config: { any: 1 } } },
    });
  });

  test("lists every error with its exact path", () => {
    expect(
      errorsOf({
        ops: { nope: {}, process_file: { config: { retries: "3" } }, report: { config: { x: 1 } } },
        resources: { nope_res: {}, db: { config: {} } },
        extra: true,
      }),
    ).toEqual([
      { path: "extra", message: 'unknown key "extra"; allowed keys: ops, resources' },
      { path: "ops.nope", message: 'op "nope" is not in job "x"; known ops: process_file, report, uses_cache' },
      { path: "ops.process_file.config.filename", message: "missing required value (expected string)" },
      { path: "ops.process_file.config.retries", message: "Invalid input: expected number, received string" },
      { path: "ops.report.config", message: 'op "report" takes no config; remove it or give the op a config schema' },
      { path: "resources.nope_res", message: 'resource "nope_res" is not in job "x"; known resources: db, cache' },
      { path: "resources.db.config.url", message: "missing required value (expected string)" },
    ]);
  });

  test("reports missing required config when the op is left out", () => {
    expect(errorsOf({})).toEqual([
      { path: "ops.process_file.config.filename", message: "missing required value (expected string)" },
      { path: "resources.db.config.url", message: "missing required value (expected string)" },
    ]);
  });

  test("says in its message how many errors there are and lists them", () => {
    expect(() => validateRunConfig(x, { ops: { process_file: { config: { filename: 1 } } }, resources: { db: { config: { url: "u" } } } } as never)).toThrow(
      'Run config for job "x" is invalid (1 error): ops.process_file.config.filename: Invalid input: expected string, received number.',
    );
  });

  test("rejects a run config that is not an object, and entries that are not { config }", () => {
    expect(errorsOf([])).toEqual([{ path: "", message: "run config must be an object like { ops: {...}, resources: {...} }, not an array" }]);
    expect(errorsOf({ ops: { report: 3, process_file: { config: { filename: "f" }, conf: 1 } }, resources: { db: { config: { url: "u" } } } })).toEqual([
      { path: "ops.process_file.conf", message: 'unknown key "conf"; allowed keys: config' },
      { path: "ops.report", message: "must be an object like { config: ... }, not a number" },
    ]);
  });
});
