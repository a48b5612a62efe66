import { describe, expectTypeOf, test } from "vitest";
import { z } from "zod";
import type { ExecuteInProcessResult } from "./in-process-executor.js";
import { job, type InferRunConfig, type JobDefinition } from "./job.js";
import { op } from "./op.js";
import type { OutputHandle } from "./output-handle.js";
import { buildResources, resource, withResources } from "./resource.js";

describe("op config inference", () => {
  test("opConfig is the schema's output, defaults and optionals included", () => {
    op({ name: "typed", config: z.object({ filename: z.string(), retries: z.number().default(3), note: z.string().optional() }) }, (context) => {
      expectTypeOf(context.opConfig).toEqualTypeOf<{ filename: string; retries: number; note?: string | undefined }>();
      expectTypeOf(context.runId).toEqualTypeOf<string>();
      expectTypeOf(context.opName).toEqualTypeOf<string>();
    });
  });

  test("opConfig is an empty record when the op has no config schema", () => {
    op({ name: "plain" }, (context) => {
      expectTypeOf(context.opConfig).toEqualTypeOf<Record<string, never>>();
    });
  });

  test("resources are keyed by requiredResourceKeys", () => {
    op({ name: "needs_db", requiredResourceKeys: ["db", "cache"] }, (context) => {
      expectTypeOf(context.resources).toEqualTypeOf<Readonly<Record<"db" | "cache", unknown>>>();
    });
  });
});

describe("output handles", () => {
  const extract = op({ name: "extract" }, async () => [1, 2, 3]);
  const total = op({ name: "total" }, (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
  const shout = op({ name: "shout" }, (_ctx, s: string) => s.toUpperCase());

  test("calling an op returns a handle of its awaited output", () => {
    job({ name: "types_a" }, () => {
      expectTypeOf(extract()).toExtend<OutputHandle<number[], unknown>>();
      expectTypeOf(total(extract())).toExtend<OutputHandle<number, unknown>>();
    });
  });

  test("a handle of the wrong type is rejected", () => {
    job({ name: "types_b" }, () => {
      // @ts-expect-error number[] is not a string
      shout(extract());
      // @ts-expect-error total needs one input
      total();
    });
  });
});

describe("InferRunConfig", () => {
  const load = op({ name: "load", config: z.object({ table: z.string(), batch: z.number().default(100) }) }, () => 1);
  const report = op({ name: "report" }, (_ctx, n: number) => n);
  const db = resource({ config: z.object({ url: z.string() }), init: ({ config }) => ({ url: config.url }) });

  test("ops with config are required with their zod input type; ops without config are optional", () => {
    const etl = job({ name: "typed_etl", resources: { db } }, () => report(load()));
    type Config = InferRunConfig<typeof etl>;
    expectTypeOf<Config["ops"]>().toEqualTypeOf<{ load: { config: { table: string; batch?: number | undefined } }; report?: { config?: Record<string, never> } }>();
    expectTypeOf<Config["resources"]["db"]>().toEqualTypeOf<{ config: { url: string } }>();
    expectTypeOf(etl).toExtend<JobDefinition<Config>>();
    expectTypeOf(etl.executeInProcess).parameter(0).toEqualTypeOf<Parameters<JobDefinition<Config>["executeInProcess"]>[0]>();
    expectTypeOf(etl.executeInProcess).returns.resolves.toEqualTypeOf<ExecuteInProcessResult>();
  });

  test("a job whose body returns nothing has an open ops section", () => {
    const loose = job({ name: "loose" }, () => {
      report(load());
    });
    expectTypeOf<InferRunConfig<typeof loose>>().toExtend<{ ops?: Record<string, { config?: unknown } | undefined> }>();
  });
});

describe("buildResources", () => {
  const db = resource({ init: async () => ({ query: (sql: string) => [sql] }), teardown: (conn) => void conn.query("bye") });
  const withConfig = resource({ config: z.object({ port: z.number().default(80) }), init: ({ config }) => config.port });

  test("properties carry each init's (awaited) value and plain values as they are", async () => {
    const r = await buildResources({ db, n: 3, port: withConfig }, { config: { port: {} } });
    expectTypeOf(r.db).toEqualTypeOf<{ query: (sql: string) => string[] }>();
    expectTypeOf(r.n).toEqualTypeOf<number>();
    expectTypeOf(r.port).toEqualTypeOf<number>();
    expectTypeOf(r.dispose).toEqualTypeOf<() => Promise<void>>();
    await withResources({ db }, (res) => expectTypeOf(res.db.query).returns.toEqualTypeOf<string[]>());
  });

  test("resource config input is typed per key", () => {
    void buildResources({ port: withConfig }, { config: { port: { port: 8080 } } });
    // @ts-expect-error port must be a number
    void buildResources({ port: withConfig }, { config: { port: { port: "80" } } });
  });
});

describe("executeInProcess run config", () => {
  const load = op({ name: "load", config: z.object({ table: z.string() }) }, () => 1);
  const typed = job({ name: "typed_run" }, () => load());

  test("checks runConfig against the job's ops", () => {
    void typed.executeInProcess({ runConfig: { ops: { load: { config: { table: "t" } } } } });
    // @ts-expect-error table must be a string
    void typed.executeInProcess({ runConfig: { ops: { load: { config: { table: 1 } } } } });
    // @ts-expect-error load's config is required
    void typed.executeInProcess({ runConfig: { ops: {} } });
  });
});
