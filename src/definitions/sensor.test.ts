import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ErrorCode, RunConfigValidationError, UserCodeError } from "../errors/index.js";
import { DefaultSensorStatus } from "./default-sensor-status.js";
import { job } from "./job.js";
import { op } from "./op.js";
import { resource } from "./resource.js";
import { resolvedRunRequest, RunRequest } from "./run-request.js";
import { sensor } from "./sensor.js";
import { buildSensorContext } from "./sensor-context.js";
import { evaluateSensor } from "./sensor-definition.js";
import { SensorResult } from "./sensor-result.js";
import { SkipReason } from "./skip-reason.js";

const processFile = op({ name: "process_file", config: z.object({ filename: z.string() }) }, () => 1);
const logFileJob = job({ name: "log_file_job" }, () => processFile());
const plain = op({ name: "plain" }, () => 1);
const otherJob = job({ name: "other_job" }, () => plain());
const fileConfig = (filename: string) => ({ ops: { process_file: { config: { filename } } } });

describe("sensor options", () => {
  it("normalises options once into a frozen, fully defaulted record", () => {
    const s = sensor({ name: "my_sensor", job: logFileJob }, () => undefined);
    expect(s.options).toEqual({
      sensorType: "STANDARD",
      name: "my_sensor",
      description: null,
      minimumIntervalSeconds: 30,
      defaultStatus: DefaultSensorStatus.STOPPED,
      timeoutSeconds: 60,
      timeoutSecondsIsDefault: true,
      requiredResourceKeys: [],
      tags: {},
      jobs: [logFileJob],
      targetJobNames: ["log_file_job"],
    });
    expect(Object.isFrozen(s.options)).toBe(true);
    expect(s.minimumIntervalSeconds).toBe(30);
    expect(s.targetJobNames).toEqual(["log_file_job"]);
    expect(s.job).toBe(logFileJob);
  });

  it("keeps given options and marks an explicit timeout", () => {
    const s = sensor(
      { name: "s", jobs: [logFileJob, otherJob], minimumIntervalSeconds: 45, defaultStatus: DefaultSensorStatus.RUNNING, timeoutSeconds: 5, description: "d" },
      () => undefined,
    );
    expect(s.options).toMatchObject({ minimumIntervalSeconds: 45, defaultStatus: "RUNNING", timeoutSeconds: 5, timeoutSecondsIsDefault: false, description: "d" });
    expect(s.targetJobNames).toEqual(["log_file_job", "other_job"]);
    expect(() => s.job).toThrow('Sensor "s" has several jobs (log_file_job, other_job); read sensor.jobs instead of sensor.job.');
  });

  it("rejects a name outside letters, digits and underscores", () => {
    expect(() => sensor({ name: "my sensor" }, () => undefined)).toThrow(
      'Sensor name "my sensor" (string) is invalid; use only letters, digits and underscores (^[A-Za-z0-9_]+$).',
    );
  });

  it("rejects both job and jobs", () => {
    expect(() => sensor({ name: "s", job: logFileJob, jobs: [otherJob] }, () => undefined)).toThrow('Sensor "s" was given both job and jobs; give only one of them.');
  });

  it("rejects bad option values, naming the sensor and the value", () => {
    expect(() => sensor({ name: "s", minimumIntervalSeconds: 0 }, () => undefined)).toThrow('Sensor "s" has minimumIntervalSeconds 0 (number); give a number of seconds greater than 0 (default 30).');
    expect(() => sensor({ name: "s", timeoutSeconds: -1 }, () => undefined)).toThrow('Sensor "s" has timeoutSeconds -1 (number); give a number of seconds greater than 0 (default 60).');
    expect(() => sensor({ name: "s", defaultStatus: "ON" as never }, () => undefined)).toThrow('Sensor "s" has defaultStatus "ON" (string); give DefaultSensorStatus.RUNNING or DefaultSensorStatus.STOPPED.');
    expect(() => sensor({ name: "s", jobs: [] }, () => undefined)).toThrow('Sensor "s" has jobs [] (array); give a non-empty array of jobs, or leave it out.');
    expect(() => sensor({ name: "s", jobs: [logFileJob, logFileJob] }, () => undefined)).toThrow('Sensor "s" lists job "log_file_job" twice in jobs; list each job once.');
    expect(() => sensor({ name: "s", job: "log_file_job" as never }, () => undefined)).toThrow('Sensor "s" has job "log_file_job" (string), which is not a job; pass one made by job(...).');
    expect(() => sensor({ name: "s", minimum_interval_seconds: 5 } as never, () => undefined)).toThrow('Sensor "s" was given unknown option "minimum_interval_seconds"');
    expect(() => sensor({ name: "s" }, "nope" as never)).toThrow('Sensor "s" needs an evaluation function as sensor()\'s second argument');
  });

  it("throws DefinitionError for bad options", () => {
    try {
      sensor({ name: "s", jobs: [] }, () => undefined);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.DEFINITION_INVALID);
    }
  });
});

describe("return forms", () => {
  const forms: [string, () => unknown][] = [
    ["a value", () => new RunRequest({ runKey: "a", runConfig: fileConfig("a") })],
    ["an array", () => [new RunRequest({ runKey: "a", runConfig: fileConfig("a") })]],
    ["a promise", async () => new RunRequest({ runKey: "a", runConfig: fileConfig("a") })],
    [
      "a sync generator",
      function* () {
        yield new RunRequest({ runKey: "a", runConfig: fileConfig("a") });
      },
    ],
    [
      "an async generator",
      async function* () {
        yield new RunRequest({ runKey: "a", runConfig: fileConfig("a") });
      },
    ],
    ["a SensorResult", () => new SensorResult({ runRequests: [new RunRequest({ runKey: "a", runConfig: fileConfig("a") })] })],
    ["a promise of an array", () => Promise.resolve([new RunRequest({ runKey: "a", runConfig: fileConfig("a") })])],
  ];
  for (const [what, fn] of forms) {
    it(`treats ${what} alike`, async () => {
      const s = sensor({ name: "forms", job: logFileJob }, fn as never);
      const evaluation = await s.evaluate();
      expect(evaluation).toEqual({
        runRequests: [resolvedRunRequest(new RunRequest({ runKey: "a", runConfig: fileConfig("a") }), "log_file_job", { "vigil/sensor_name": "forms" })],
        cursor: null,
      });
      expect(evaluation.runRequests[0]).toBeInstanceOf(RunRequest);
    });
  }

  it("skips with a message when the result is empty", async () => {
    for (const fn of [() => undefined, () => [], () => null, function* () {}, async () => undefined, () => new SensorResult()]) {
      const evaluation = await sensor({ name: "empty" }, fn as never).evaluate();
      expect(evaluation).toEqual({ runRequests: [], skipReason: new SkipReason("Sensor function returned an empty result"), cursor: null });
    }
  });

  it("returns a SkipReason as the skip reason", async () => {
    const evaluation = await sensor({ name: "skipper" }, () => new SkipReason("No files found in /data.")).evaluate();
    expect(evaluation.skipReason?.message).toBe("No files found in /data.");
    expect(evaluation.runRequests).toEqual([]);
  });

  it("appends a generator's return value to what it yielded", async () => {
    const s = sensor({ name: "gen", job: otherJob }, function* () {
      yield new RunRequest({ runKey: "a" });
      return new RunRequest({ runKey: "b" });
    });
    expect((await s.evaluate()).runRequests.map((r) => r.runKey)).toEqual(["a", "b"]);
  });

  it("runs a zero-argument function and one taking a context alike", async () => {
    let seen: unknown;
    await sensor({ name: "ctx" }, (context) => {
      seen = context.cursor;
    }).evaluate();
    expect(seen).toBeNull();
  });

  it("rejects a SkipReason together with RunRequests", async () => {
    const s = sensor({ name: "both", job: otherJob }, () => [new RunRequest(), new SkipReason("nothing")]);
    await expect(s.evaluate()).rejects.toThrow(
      'Error in sensor "both": it returned 1 RunRequest(s) and a SkipReason ("nothing"); expected a single SkipReason or one or more RunRequests, not both.',
    );
  });

  it("rejects several SkipReasons", async () => {
    const s = sensor({ name: "skips" }, function* () {
      yield new SkipReason("a");
      yield new SkipReason("b");
    });
    await expect(s.evaluate()).rejects.toThrow('Error in sensor "skips": it returned 2 SkipReasons ("a", "b"); expected a single SkipReason.');
  });

  it("rejects a SensorResult mixed with other values", async () => {
    const s = sensor({ name: "mixed", job: otherJob }, () => [new SensorResult(), new RunRequest()] as never);
    await expect(s.evaluate()).rejects.toThrow(
      'Error in sensor "mixed": it returned a SensorResult together with 1 other value(s); when a SensorResult is returned from a sensor, it must be the only object returned.',
    );
  });

  it("rejects any other value type, naming it", async () => {
    await expect(sensor({ name: "odd" }, () => 42 as never).evaluate()).rejects.toThrow(
      'Error in sensor "odd": the sensor unexpectedly returned 42 (number); return only RunRequest, SkipReason or SensorResult objects (or an array or generator of them), or nothing.',
    );
    await expect(sensor({ name: "odd2" }, () => [{ runKey: "x" }] as never).evaluate()).rejects.toThrow(
      'Error in sensor "odd2": the sensor unexpectedly returned {"runKey":"x"} (Object)',
    );
  });

  it("rejects SensorResult.cursor after updateCursor()", async () => {
    const s = sensor({ name: "cursors" }, (context) => {
      context.updateCursor("a");
      return new SensorResult({ cursor: "b" });
    });
    await expect(s.evaluate()).rejects.toThrow(
      'Error in sensor "cursors": it returned SensorResult.cursor "b" after calling context.updateCursor(); SensorResult.cursor cannot be set if context.updateCursor() was called, so use one or the other.',
    );
  });

  it("takes the cursor of a SensorResult", async () => {
    const evaluation = await sensor({ name: "sr" }, () => new SensorResult({ skipReason: "later", cursor: "7" })).evaluate(buildSensorContext({ cursor: "3" }));
    expect(evaluation).toEqual({ runRequests: [], skipReason: new SkipReason("later"), cursor: "7" });
  });
});

describe("target resolution", () => {
  it("rejects a RunRequest from a sensor without a target", async () => {
    await expect(sensor({ name: "no_target" }, () => new RunRequest({ runKey: "k" })).evaluate()).rejects.toThrow(
      'Error in sensor "no_target": it returned a RunRequest (run key "k") but the sensor lacks a target; give it a job (or jobs) option naming the job to launch.',
    );
  });

  it("requires jobName when the sensor has several jobs, listing them", async () => {
    const s = sensor({ name: "multi", jobs: [logFileJob, otherJob] }, () => new RunRequest());
    await expect(s.evaluate()).rejects.toThrow(
      'Error in sensor "multi": it returned a RunRequest that did not specify jobName, but the sensor targets several jobs; set jobName to one of: "log_file_job", "other_job".',
    );
  });

  it("rejects a jobName that is not among the targets", async () => {
    const s = sensor({ name: "wrong", job: logFileJob }, () => new RunRequest({ jobName: "other_job" }));
    await expect(s.evaluate()).rejects.toThrow(
      'Error in sensor "wrong": it returned a RunRequest with jobName "other_job", which is not among its targets; expected one of: "log_file_job".',
    );
  });

  it("refuses a request that sets a vigil/ tag itself, naming the tag", () => {
    expect(() => new RunRequest({ tags: { team: "data", "vigil/run_key": "spoofed" } })).toThrow(
      'RunRequest sets tag "vigil/run_key", but tags under "vigil/" are written by Vigil itself (only "vigil/max_retries" may be set); rename the tag.',
    );
    expect(new RunRequest({ tags: { "vigil/max_retries": "2" } }).tags).toEqual({ "vigil/max_retries": "2" });
    // Omitted fields read undefined (runConfig reads {}).
    expect(new RunRequest({}).tags).toBeUndefined();
    expect(new RunRequest({}).runConfig).toEqual({});
  });

  it("picks the job named by jobName and tags every request with the sensor", async () => {
    const s = sensor({ name: "picker", jobs: [logFileJob, otherJob] }, () => [
      new RunRequest({ jobName: "other_job", tags: { team: "data" } }),
      new RunRequest({ jobName: "log_file_job", runConfig: fileConfig("f") }),
    ]);
    const { runRequests } = await s.evaluate();
    expect(runRequests.map((r) => [r.jobName, r.tags])).toEqual([
      ["other_job", { team: "data", "vigil/sensor_name": "picker" }],
      ["log_file_job", { "vigil/sensor_name": "picker" }],
    ]);
  });

  it("validates run config against the target job, naming the sensor and the bad path", async () => {
    const s = sensor({ name: "bad_config", job: logFileJob }, () => new RunRequest({ runKey: "f", runConfig: { ops: { process_file: { config: { filename: 3 } } } } }));
    const error = await s.evaluate().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunConfigValidationError);
    const e = error as RunConfigValidationError;
    expect(e.code).toBe(ErrorCode.RUN_CONFIG_INVALID);
    expect(e.message).toMatch(/^Error in sensor "bad_config": a RunRequest \(run key "f"\) has invalid run config for job "log_file_job" \(ops\.process_file\.config\.filename: .+\); fix the run config the sensor builds\.$/);
    expect(e.errors.map((x) => x.path)).toEqual(["ops.process_file.config.filename"]);
  });
});

describe("context", () => {
  it("exposes what it was built with", () => {
    const context = buildSensorContext({ cursor: "c", lastRunKey: "k", lastTickCompletionTime: 5, sensorName: "n", repositoryName: "r" });
    expect([context.cursor, context.lastRunKey, context.lastTickCompletionTime, context.sensorName, context.repositoryName]).toEqual(["c", "k", 5, "n", "r"]);
    expect(context.resources).toEqual({});
  });

  it("defaults everything to null", () => {
    const context = buildSensorContext();
    expect([context.cursor, context.lastRunKey, context.lastTickCompletionTime, context.repositoryName]).toEqual([null, null, null, null]);
  });

  it("updates the cursor, and the evaluation returns it", async () => {
    const context = buildSensorContext({ cursor: "1" });
    const evaluation = await sensor({ name: "mover" }, (c) => {
      c.updateCursor(String(Number(c.cursor) + 1));
      expect(c.cursor).toBe("2");
    }).evaluate(context);
    expect(evaluation.cursor).toBe("2");
    expect(context.cursor).toBe("2");
  });

  it("clears the cursor with null", async () => {
    const evaluation = await sensor({ name: "clearer" }, (c) => c.updateCursor(null)).evaluate(buildSensorContext({ cursor: "1" }));
    expect(evaluation.cursor).toBeNull();
  });

  it("rejects updateCursor with anything but a string or null, naming the sensor and the value", async () => {
    const s = sensor({ name: "bad_cursor" }, (c) => c.updateCursor(42 as never));
    const error = await s.evaluate().catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'Error in sensor "bad_cursor": context.updateCursor() was called with 42 (number); give a string (e.g. JSON.stringify(state)) or null to clear the cursor.',
    );
    expect((error as { code: string }).code).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it("gives a clear error when read without an instance", async () => {
    const s = sensor({ name: "needs_instance" }, (c) => {
      void c.instance;
    });
    await expect(s.evaluate()).rejects.toThrow(
      'Sensor "needs_instance" read context.instance, but its context was built without an instance; pass one, e.g. buildSensorContext({ instance: await Instance.ephemeral() }).',
    );
  });

  it("rejects bad build options, naming the field", () => {
    expect(() => buildSensorContext({ cursor: 3 as never })).toThrow("buildSensorContext cursor 3 (number) is invalid; give a string or null.");
  });

  it("keeps the cursor as it was when the sensor throws", async () => {
    const context = buildSensorContext({ cursor: "1" });
    await expect(
      sensor({ name: "thrower" }, (c) => {
        c.updateCursor("2");
        throw new Error("boom");
      }).evaluate(context),
    ).rejects.toThrow("boom");
    expect(context.cursor).toBe("1");
  });

  it("logs through context.log", async () => {
    const context = buildSensorContext();
    await sensor({ name: "logger" }, (c) => c.log.info("hello")).evaluate(context);
    expect((context.log as unknown as { entries: { level: string; message: string }[] }).entries.map((e) => [e.level, e.message])).toEqual([["INFO", "hello"]]);
  });
});

describe("user code errors", () => {
  it("reports a throw with the sensor name, the user's message and stack", async () => {
    const s = sensor({ name: "broken" }, function brokenSensor() {
      throw new Error("disk full");
    });
    const error = (await s.evaluate().catch((e: unknown) => e)) as UserCodeError;
    expect(error).toBeInstanceOf(UserCodeError);
    expect(error.message).toBe('Error in sensor "broken": disk full');
    expect(error.userMessage).toBe("disk full");
    expect(error.stack).toContain("brokenSensor");
    expect((error.cause as Error).message).toBe("disk full");
  });

  it("reports a throw from inside a generator and from a rejected promise", async () => {
    const gen = sensor({ name: "gen_broken" }, function* () {
      yield new SkipReason("x");
      throw new Error("mid-way");
    });
    await expect(gen.evaluate()).rejects.toThrow('Error in sensor "gen_broken": mid-way');
    await expect(sensor({ name: "async_broken" }, () => Promise.reject(new Error("nope"))).evaluate()).rejects.toThrow('Error in sensor "async_broken": nope');
  });

  it("evaluateSensor builds the context from options and throws naming the sensor", async () => {
    const s = sensor({ name: "daemonish" }, (c) => new SkipReason(`at ${c.cursor}`));
    expect(await evaluateSensor(s, { cursor: "9" })).toEqual({ runRequests: [], skipReason: new SkipReason("at 9"), cursor: "9" });
    await expect(evaluateSensor(sensor({ name: "x" }, () => 1 as never))).rejects.toThrow('Error in sensor "x"');
  });
});

describe("resources", () => {
  it("builds resources when the evaluation starts and disposes them after it", async () => {
    const events: string[] = [];
    const db = resource({ init: () => (events.push("init"), { query: () => "rows" }), teardown: () => void events.push("teardown") });
    const s = sensor({ name: "uses_db", requiredResourceKeys: ["db"] }, (c) => {
      events.push(`query ${(c.resources.db as { query(): string }).query()}`);
    });
    const context = buildSensorContext({ resources: { db, unused: resource({ init: () => events.push("unused") }) } });
    expect(events).toEqual([]);
    await s.evaluate(context);
    expect(events).toEqual(["init", "query rows", "teardown"]);
    expect(() => context.resources).toThrow('Sensor "uses_db" read context.resources outside an evaluation');
  });

  it("reports a missing required resource, naming the sensor and the key", async () => {
    const s = sensor({ name: "needs_db", requiredResourceKeys: ["db"] }, () => undefined);
    await expect(s.evaluate()).rejects.toThrow(
      'Error in sensor "needs_db": it requires resource "db", which was not provided (given: none); pass it in buildSensorContext({ resources }) or Definitions({ resources }).',
    );
  });

  it("reports a failing resource when evaluated, not when the context is built", async () => {
    const context = buildSensorContext({ resources: { db: resource({ init: () => { throw new Error("no route"); } }) } });
    await expect(sensor({ name: "flaky_db" }, () => undefined).evaluate(context)).rejects.toThrow(/^Error in sensor "flaky_db": .*no route/);
  });
});
