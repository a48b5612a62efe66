import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { createTempDatabase } from "../../test/support/postgres.js";
import { ErrorCode, VigilError } from "../errors/index.js";
import { AssetKey, EventType, RunStatus, type EventLogEntry } from "../model/index.js";
import { Instance } from "./instance.js";

let home: string;
beforeEach(() => {
  home = join(mkdtempSync(join(tmpdir(), "vigil-home-")), "home");
});
afterEach(() => rmSync(join(home, ".."), { recursive: true, force: true }));

async function addRun(instance: Instance, jobName = "etl", tags: Record<string, string> = {}): Promise<string> {
  const runId = randomUUID();
  await instance.storage.addRun({ runId, jobName, status: RunStatus.NOT_STARTED, tags, runConfig: {}, createdAt: Date.now() });
  return runId;
}

function materialization(runId: string, assetKey: string[], timestamp = Date.now()): EventLogEntry {
  return {
    runId,
    jobName: "etl",
    timestamp,
    level: "INFO",
    message: `Materialized ${assetKey.join("/")}`,
    event: {
      eventType: EventType.ASSET_MATERIALIZATION,
      assetKey: new AssetKey(assetKey),
      materialization: { assetKey: new AssetKey(assetKey), description: null, metadata: {}, partition: null },
    },
  };
}

describe("Instance.ephemeral", () => {
  it("stores on a temporary SQLite file that close() removes", async () => {
    const instance = await Instance.ephemeral();
    expect(instance.config.runLauncher).toBe("in-process");
    expect(instance.config.storage.kind).toBe("sqlite");
    const path = instance.config.storage.kind === "sqlite" ? instance.config.storage.path : "";
    expect(existsSync(path)).toBe(true);
    await instance.close();
    await instance.close();
    expect(existsSync(path)).toBe(false);
  });
});

describe("Instance.open", () => {
  it("creates the home folder and SQLite at <home>/vigil.db, and sees earlier runs when reopened", async () => {
    let runId: string;
    {
      await using instance = await Instance.open(home);
      expect(existsSync(join(home, "vigil.db"))).toBe(true);
      runId = await addRun(instance);
    }
    await using again = await Instance.open(home);
    expect((await again.getRun(runId))?.jobName).toBe("etl");
  });

  it("reads $VIGIL_HOME when no home is given", async () => {
    const before = process.env.VIGIL_HOME;
    process.env.VIGIL_HOME = home;
    try {
      await using instance = await Instance.open();
      expect(instance.home).toBe(home);
    } finally {
      if (before === undefined) delete process.env.VIGIL_HOME;
      else process.env.VIGIL_HOME = before;
    }
  });

  it("refuses a malformed vigil.yaml before touching storage", async () => {
    rmSync(join(home, ".."), { recursive: true, force: true });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "vigil.yaml"), "runLauncher: nope\n");
    const error = await Instance.open(home).catch((e: unknown) => e);
    expect(VigilError.is(error, ErrorCode.INSTANCE_CONFIG_INVALID)).toBe(true);
    expect(existsSync(join(home, "vigil.db"))).toBe(false);
  });

  it("names the host and port of a PostgreSQL server it cannot reach", async () => {
    const { mkdirSync } = await import("node:fs");
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "vigil.yaml"), "storage:\n  postgres:\n    url: postgres://vigil:secret@127.0.0.1:1/vigil\n");
    const error = await Instance.open(home).catch((e: unknown) => e);
    expect(VigilError.is(error, ErrorCode.STORAGE_UNREACHABLE)).toBe(true);
    expect((error as Error).message).toContain("127.0.0.1:1");
    expect((error as Error).message).not.toContain("secret");
  });

  const postgresUrl = inject("postgresUrl");
  it.skipIf(postgresUrl === null)("switches to PostgreSQL with storage.postgres.url", async () => {
    const db = await createTempDatabase(postgresUrl!);
    try {
      const { mkdirSync } = await import("node:fs");
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, "vigil.yaml"), `storage:\n  postgres:\n    url: ${db.url}\n`);
      await using instance = await Instance.open(home);
      expect(instance.storage.dialectName).toBe("postgres");
      const runId = await addRun(instance);
      expect((await instance.getRun(runId))?.runId).toBe(runId);
      expect(existsSync(join(home, "vigil.db"))).toBe(false);
    } finally {
      await db.drop();
    }
  });
});

describe("Instance reads", () => {
  it("filters runs by job, status and tags, newest first, with a cursor for the next page", async () => {
    await using instance = await Instance.ephemeral();
    const a = await addRun(instance, "a", { team: "x" });
    const b = await addRun(instance, "b", { team: "x" });
    const c = await addRun(instance, "a", { team: "y" });
    expect((await instance.getRuns()).map((r) => r.runId)).toEqual([c, b, a]);
    expect((await instance.getRuns({ jobName: "a" })).map((r) => r.runId)).toEqual([c, a]);
    expect((await instance.getRuns({ tags: { team: "x" } })).map((r) => r.runId)).toEqual([b, a]);
    expect((await instance.getRuns({ limit: 1, cursor: c })).map((r) => r.runId)).toEqual([b]);
    expect(await instance.getRuns({ statuses: [RunStatus.SUCCESS] })).toEqual([]);
  });

  it("finds the newest materialization of an asset given as a string, an array or an AssetKey", async () => {
    await using instance = await Instance.ephemeral();
    const runId = await addRun(instance);
    await instance.storage.storeEvents([materialization(runId, ["a", "b"]), materialization(runId, ["c"])]);
    const [, newest] = await instance.storage.storeEvents([materialization(runId, ["c"]), materialization(runId, ["a", "b"])]);
    expect((await instance.getLatestMaterialization("a/b"))?.storageId).toBe(newest?.storageId);
    expect((await instance.getLatestMaterialization(["a", "b"]))?.storageId).toBe(newest?.storageId);
    expect(await instance.getLatestMaterialization("never")).toBeNull();
    const records = await instance.getEventRecords({ eventType: EventType.ASSET_MATERIALIZATION, assetKey: ["a", "b"], ascending: true });
    expect(records).toHaveLength(2);
    expect(records[0]!.storageId).toBeLessThan(records[1]!.storageId);
  });

  it("rejects an unknown event type and a negative limit with a clear message", async () => {
    await using instance = await Instance.ephemeral();
    await expect(instance.getEventRecords({ eventType: "MATERIALIZED" as EventType })).rejects.toThrow(
      'getEventRecords needs an eventType from EventType (e.g. EventType.ASSET_MATERIALIZATION); got "MATERIALIZED".',
    );
    await expect(instance.getRuns({ limit: -1 })).rejects.toThrow("getRuns got limit -1; give a whole number of 0 or more.");
  });
});

describe("Instance.waitForRun", () => {
  it("rejects at once for a run that does not exist", async () => {
    await using instance = await Instance.ephemeral();
    await expect(instance.waitForRun("nope")).rejects.toThrow('Run "nope" does not exist in this instance; check the run id.');
  });

  it("resolves once the run finishes", async () => {
    await using instance = await Instance.ephemeral();
    const runId = await addRun(instance);
    const waiting = instance.waitForRun(runId, { timeoutMs: 10_000 });
    const base = { runId, jobName: "etl", level: "INFO" as const, message: "" };
    await instance.storage.storeEvents([{ ...base, timestamp: Date.now(), event: { eventType: EventType.RUN_START, runStatus: RunStatus.STARTED } }]);
    await instance.storage.storeEvents([{ ...base, timestamp: Date.now(), event: { eventType: EventType.RUN_SUCCESS, runStatus: RunStatus.SUCCESS } }]);
    expect((await waiting).status).toBe(RunStatus.SUCCESS);
  });

  it("rejects on timeout naming the run and its status", async () => {
    await using instance = await Instance.ephemeral();
    const runId = await addRun(instance);
    const error = await instance.waitForRun(runId, { timeoutMs: 30 }).catch((e: unknown) => e);
    expect(VigilError.is(error, ErrorCode.TIMEOUT)).toBe(true);
    expect((error as Error).message).toBe(`Run "${runId}" did not finish within 30 ms; it is still NOT_STARTED.`);
  });
});

describe("Instance sensor state", () => {
  it("stores start and stop as user overrides and keeps the cursor", async () => {
    await using instance = await Instance.ephemeral();
    expect(await instance.getSensorState("s")).toBeNull();
    await instance.setCursor("s", "10");
    expect(await instance.getSensorState("s")).toMatchObject({ status: "STOPPED", statusSource: "default", cursor: "10" });
    await instance.startSensor("s");
    expect(await instance.getSensorState("s")).toMatchObject({ status: "RUNNING", statusSource: "user", cursor: "10" });
    await instance.setCursor("s", null);
    expect(await instance.getSensorState("s")).toMatchObject({ status: "RUNNING", statusSource: "user", cursor: null });
    await instance.stopSensor("s");
    expect(await instance.getSensorState("s")).toMatchObject({ status: "STOPPED", statusSource: "user" });
  });

  it("returns exactly the SPEC fields of a sensor's state", async () => {
    await using instance = await Instance.ephemeral();
    await instance.startSensor("s");
    expect(await instance.getSensorState("s")).toEqual({
      name: "s",
      status: "RUNNING",
      statusSource: "user",
      cursor: null,
      lastTickTimestamp: null,
      lastRunKey: null,
    });
  });

  it("stores the code's default status when the cursor of an unknown sensor is set", async () => {
    await using instance = await Instance.ephemeral();
    await instance.setCursor("s", "x", { defaultStatus: "RUNNING" });
    expect(await instance.getSensorState("s")).toMatchObject({ status: "RUNNING", statusSource: "default", cursor: "x" });
  });
});
