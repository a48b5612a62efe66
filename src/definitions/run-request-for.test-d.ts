import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { job } from "./job.js";
import { op } from "./op.js";
import type { RunRequest } from "./run-request.js";
import { runRequestFor } from "./run-request-for.js";
import { sensor } from "./sensor.js";
import type { SensorEvaluationContext } from "./sensor-context.js";

const processFile = op({ name: "process_file", config: z.object({ filename: z.string() }) }, () => 1);
const logFileJob = job({ name: "log_file_job" }, () => processFile());
const noConfig = op({ name: "no_config" }, () => 1);
const plainJob = job({ name: "plain_job" }, () => noConfig());

describe("runRequestFor", () => {
  it("checks runConfig against the job's config at compile time", () => {
    expectTypeOf(runRequestFor(logFileJob, { runKey: "a", runConfig: { ops: { process_file: { config: { filename: "a.csv" } } } } })).toEqualTypeOf<RunRequest>();
    // @ts-expect-error filename must be a string
    runRequestFor(logFileJob, { runConfig: { ops: { process_file: { config: { filename: 3 } } } } });
    // @ts-expect-error the op needs config, so runConfig is required
    runRequestFor(logFileJob, { runKey: "a" });
    // @ts-expect-error unknown op name
    runRequestFor(logFileJob, { runConfig: { ops: { proces_file: { config: { filename: "a" } } } } });
  });

  it("lets runConfig be left out when the job needs none", () => {
    expectTypeOf(runRequestFor(plainJob, { runKey: "a" })).toEqualTypeOf<RunRequest>();
  });

  it("is usable from a sensor generator", () => {
    const s = sensor({ name: "typed", job: logFileJob }, function* (context: SensorEvaluationContext) {
      yield runRequestFor(logFileJob, { runKey: context.cursor ?? "x", runConfig: { ops: { process_file: { config: { filename: "f" } } } } });
    });
    expectTypeOf(s.name).toEqualTypeOf<string>();
  });
});

describe("sensor return forms", () => {
  it("accepts every return form in its types", () => {
    sensor({ name: "a" }, () => undefined);
    sensor({ name: "b" }, async () => [] as RunRequest[]);
    sensor({ name: "c" }, async function* () {
      yield runRequestFor(plainJob, {});
    });
    // @ts-expect-error a number is not a sensor return value
    sensor({ name: "d" }, () => 42);
  });
});
