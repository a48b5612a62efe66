import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Daemon, DefaultSensorStatus, Definitions, Instance, ManualClock, RunTag, buildSensorContext, job, op } from "vigil";
import { getS3Keys, s3Sensor } from "vigil/aws";
import { startS3rver, type S3rverProcess } from "./support/s3rver-process.js";

// 1,100 keys under data/ (more than one ListObjectsV2 page even with the prefix), 40 under logs/,
// two at the root; S3 lists them in lexicographic order.
const DATA = Array.from({ length: 1100 }, (_, i) => `data/${String(i).padStart(5, "0")}.csv`);
const LOGS = Array.from({ length: 40 }, (_, i) => `logs/${String(i).padStart(3, "0")}.log`);
const ROOT = ["README.md", "zz-last.txt"];
const ALL = [...DATA, ...LOGS, ...ROOT].sort();

let s3: S3rverProcess;
beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket("big", [...DATA, ...LOGS, ...ROOT]);
});
afterAll(async () => {
  await s3?.close();
});

describe("getS3Keys", () => {
  it("lists every key across pages, in S3's lexicographic order", async () => {
    const keys = await getS3Keys("big", { s3Client: s3.client });
    expect(keys).toHaveLength(1142);
    expect(keys).toEqual(ALL);
  });

  it("lists only the keys after sinceKey", async () => {
    expect(await getS3Keys("big", { s3Client: s3.client, sinceKey: "data/00499.csv" })).toEqual(ALL.slice(ALL.indexOf("data/00500.csv")));
    expect(await getS3Keys("big", { s3Client: s3.client, sinceKey: "zz-last.txt" })).toEqual([]);
  });

  it("lists from a sinceKey's position even when no such key exists", async () => {
    expect(await getS3Keys("big", { s3Client: s3.client, sinceKey: "data/00999.csv-deleted" })).toEqual(ALL.slice(ALL.indexOf("data/01000.csv")));
  });

  it("lists only the keys under a prefix, across pages", async () => {
    expect(await getS3Keys("big", { s3Client: s3.client, prefix: "data/" })).toEqual(DATA);
    expect(await getS3Keys("big", { s3Client: s3.client, prefix: "logs/" })).toEqual(LOGS);
    expect(await getS3Keys("big", { s3Client: s3.client, prefix: "nothing/" })).toEqual([]);
  });

  it("combines a prefix with sinceKey", async () => {
    expect(await getS3Keys("big", { s3Client: s3.client, prefix: "data/", sinceKey: "data/00010.csv" })).toEqual(DATA.slice(11));
    expect(await getS3Keys("big", { s3Client: s3.client, prefix: "logs/", sinceKey: "data/00010.csv" })).toEqual(LOGS);
    expect(await getS3Keys("big", { s3Client: s3.client, prefix: "data/", sinceKey: "logs/000.log" })).toEqual([]);
  });

  it("takes null as no sinceKey and stops after limit keys", async () => {
    expect(await getS3Keys("big", { s3Client: s3.client, sinceKey: null, limit: 1050 })).toEqual(ALL.slice(0, 1050));
    expect(await getS3Keys("big", { s3Client: s3.client, sinceKey: "data/01098.csv", limit: 3 })).toEqual(["data/01099.csv", ...LOGS.slice(0, 2)]);
  });

  it("names the bucket and S3's error code when listing fails", async () => {
    await expect(getS3Keys("no-such-bucket", { s3Client: s3.client, prefix: "in/" })).rejects.toThrow(
      'Listing S3 bucket "no-such-bucket" under prefix "in/" failed with NoSuchBucket: The specified bucket does not exist; check the bucket name, its region and the credentials.',
    );
  });
});

const processFile = op({ name: "process_file", config: z.object({ key: z.string() }) }, (context) => context.opConfig.key);
const processFileJob = job({ name: "process_file_job" }, () => processFile());

describe("s3Sensor", () => {
  it("requests one run per new key, at most maxKeysPerTick a tick, keeping the last key in its cursor", async () => {
    const sensor = s3Sensor({ name: "big_data", bucket: "big", prefix: "data/", job: processFileJob, s3Client: s3.client, maxKeysPerTick: 1000, runConfigFn: (key) => ({ ops: { process_file: { config: { key } } } }) });

    const first = await sensor.evaluate(buildSensorContext());
    expect(first.runRequests.map((r) => r.runKey)).toEqual(DATA.slice(0, 1000));
    expect(first.runRequests[0]).toMatchObject({ jobName: "process_file_job", runConfig: { ops: { process_file: { config: { key: "data/00000.csv" } } } } });
    expect(first.cursor).toBe("data/00999.csv");

    const second = await sensor.evaluate(buildSensorContext({ cursor: first.cursor }));
    expect(second.runRequests.map((r) => r.runKey)).toEqual(DATA.slice(1000));
    expect(second.cursor).toBe("data/01099.csv");

    const third = await sensor.evaluate(buildSensorContext({ cursor: second.cursor }));
    expect(third.runRequests).toEqual([]);
    expect(third.skipReason?.message).toBe('No new keys in S3 bucket "big" under prefix "data/" after "data/01099.csv".');
    expect(third.cursor).toBe("data/01099.csv");
  });

  it("picks up keys added later, and skips naming the bucket when it is empty", async () => {
    await s3.createBucket("later");
    const sensor = s3Sensor({ name: "later_files", bucket: "later", job: processFileJob, s3Client: s3.client, runConfigFn: (key) => ({ ops: { process_file: { config: { key } } } }) });

    const empty = await sensor.evaluate(buildSensorContext());
    expect([empty.runRequests, empty.skipReason?.message, empty.cursor]).toEqual([[], 'No new keys in S3 bucket "later" (no prefix).', null]);

    await s3.putKeys("later", ["b.csv", "a.csv"]);
    const found = await sensor.evaluate(buildSensorContext());
    expect([found.runRequests.map((r) => r.runKey), found.cursor]).toEqual([["a.csv", "b.csv"], "b.csv"]);

    await s3.putKeys("later", ["c.csv"]);
    const next = await sensor.evaluate(buildSensorContext({ cursor: found.cursor }));
    expect([next.runRequests.map((r) => r.runKey), next.cursor]).toEqual([["c.csv"], "c.csv"]);
  });

  it("checks each run config against the job", async () => {
    const sensor = s3Sensor({ name: "no_config", bucket: "big", prefix: "logs/", job: processFileJob, s3Client: s3.client });
    await expect(sensor.evaluate(buildSensorContext())).rejects.toThrow("ops.process_file.config");
  });

  it("checks its options when it is defined", () => {
    expect(() => s3Sensor({ name: "s", bucket: "", job: processFileJob })).toThrow('Sensor "s" has bucket ""; give the S3 bucket\'s name.');
    expect(() => s3Sensor({ name: "s", bucket: "b", job: processFileJob, maxKeysPerTick: 0 })).toThrow(
      'Sensor "s" has maxKeysPerTick 0; give a whole number greater than 0 (default 1000).',
    );
    const defined = s3Sensor({ name: "s", bucket: "b", job: processFileJob, minimumIntervalSeconds: 60, defaultStatus: DefaultSensorStatus.RUNNING });
    expect([defined.minimumIntervalSeconds, defined.defaultStatus, defined.targetJobNames]).toEqual([60, "RUNNING", ["process_file_job"]]);
  });
});

describe("s3Sensor under the daemon", () => {
  const T0 = Date.parse("2026-01-01T00:00:00Z");

  it("launches one run per key, survives a restart without relaunching, and picks up later keys", async () => {
    await s3.createBucket("daemon", ["in/a.csv", "in/b.csv", "in/c.csv"]);
    const newFiles = s3Sensor({
      name: "new_files",
      bucket: "daemon",
      prefix: "in/",
      job: processFileJob,
      s3Client: s3.client,
      maxKeysPerTick: 2,
      defaultStatus: DefaultSensorStatus.RUNNING,
      runConfigFn: (key) => ({ ops: { process_file: { config: { key } } } }),
    });
    const definitions = new Definitions({ jobs: [processFileJob], sensors: [newFiles] });
    await using instance = await Instance.ephemeral();
    const clock = new ManualClock(T0);
    const runKeys = async () => (await instance.getRuns({ jobName: "process_file_job" })).map((r) => r.tags[RunTag.RUN_KEY]).reverse();
    const iterate = async (daemon: Daemon) => {
      await daemon.runIteration();
      for (const run of await instance.getRuns({ jobName: "process_file_job" })) await instance.waitForRun(run.runId, { timeoutMs: 20_000 });
      clock.advance(30_000);
    };

    const first = new Daemon({ instance, definitions, clock, log: () => undefined });
    await iterate(first);
    await iterate(first);
    await first.close();
    expect(await runKeys()).toEqual(["in/a.csv", "in/b.csv", "in/c.csv"]);
    expect((await instance.getRuns({ jobName: "process_file_job" })).every((r) => r.status === "SUCCESS")).toBe(true);

    // A new daemon on the same instance resumes from the stored cursor.
    const second = new Daemon({ instance, definitions, clock, log: () => undefined });
    await iterate(second);
    expect(await runKeys()).toHaveLength(3);
    expect((await instance.getTicks("new_files"))[0]?.skipReason).toBe('No new keys in S3 bucket "daemon" under prefix "in/" after "in/c.csv".');

    await s3.putKeys("daemon", ["in/d.csv", "out/ignored.csv"]);
    await iterate(second);
    expect(await runKeys()).toEqual(["in/a.csv", "in/b.csv", "in/c.csv", "in/d.csv"]);

    // Even with its cursor cleared, run keys keep it from launching a key twice.
    await instance.setCursor("new_files", null);
    await iterate(second);
    await iterate(second);
    await second.close();
    expect(await runKeys()).toHaveLength(4);
    const ticks = (await instance.getTicks("new_files")).reverse();
    expect(ticks.map((x) => x.status)).toEqual(["SUCCESS", "SUCCESS", "SKIPPED", "SUCCESS", "SKIPPED", "SKIPPED"]);
    expect(ticks.slice(-2).map((x) => x.dedupedRunKeys)).toEqual([["in/a.csv", "in/b.csv"], ["in/c.csv", "in/d.csv"]]);
  });

  it("creates one run per key of a bucket listed over several pages", async () => {
    const bigData = s3Sensor({ name: "big_data", bucket: "big", prefix: "data/", job: processFileJob, s3Client: s3.client, defaultStatus: DefaultSensorStatus.RUNNING, runConfigFn: (key) => ({ ops: { process_file: { config: { key } } } }) });
    await using instance = await Instance.ephemeral();
    const clock = new ManualClock(T0);
    // Runs stay QUEUED: this counts what the ticks create, not how fast 1,100 runs execute.
    const daemon = new Daemon({ instance, definitions: new Definitions({ jobs: [processFileJob], sensors: [bigData] }), clock, launchRuns: false, log: () => undefined });
    try {
      for (let i = 0; i < 3; i++) {
        await daemon.runIteration();
        clock.advance(30_000);
      }
    } finally {
      await daemon.close();
    }
    const ticks = (await instance.getTicks("big_data")).reverse();
    expect(ticks.map((x) => [x.status, x.runIds.length])).toEqual([["SUCCESS", 1000], ["SUCCESS", 100], ["SKIPPED", 0]]);
    const runs = await instance.getRuns({ jobName: "process_file_job" });
    expect(runs.map((r) => r.tags[RunTag.RUN_KEY]).sort()).toEqual(DATA);
  });
});
