import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Instance } from "../../src/instance/index.js";
import type { DeploymentStatus, EventsPage, JobSummary, PreviewResult, RunDetail, RunsPage, RunSummary, SensorSummary, TicksPage, AssetSummary, Overview } from "../../src/server/api-types.js";
import { createApp } from "../../src/server/app.js";
import { startUiServer } from "../../src/server/start-ui-server.js";
import { createTempDatabase } from "../support/postgres.js";
import { definitions, HOLD_TAGS, inbox, openHoldingInstance, setupInstance, T0 } from "./fixtures.js";

/** The whole suite on one storage backend. */
function apiSuite(label: string, open: () => Promise<Instance>, cleanup: () => Promise<void> = async () => undefined): void {
  describe(label, () => {
    type Setup = Awaited<ReturnType<typeof setupInstance>>;
    let t: Setup;
    let uiDir: string;
    const json = { "content-type": "application/json" };

    beforeAll(async () => {
      inbox.length = 0;
      t = await setupInstance(T0, open);
      inbox.push("a.csv", "b.csv");
      await t.daemon.runIteration();
      for (const run of await t.instance.getRuns()) await t.instance.waitForRun(run.runId, { timeoutMs: 10_000 });
      uiDir = mkdtempSync(join(tmpdir(), "vigil-ui-test-"));
      mkdirSync(join(uiDir, "assets"));
      writeFileSync(join(uiDir, "index.html"), "<!doctype html><title>Vigil</title>");
      writeFileSync(join(uiDir, "assets", "app.js"), "console.log(1)");
      writeFileSync(join(uiDir, "..", "vigil-secret.txt"), "secret");
    });
    afterAll(async () => {
      await t.close();
      await cleanup();
      rmSync(uiDir, { recursive: true, force: true });
      rmSync(join(uiDir, "..", "vigil-secret.txt"), { force: true });
    });

    function api(options: { readOnly?: boolean; allowPreview?: boolean; authToken?: string } = {}) {
      return createApp({ instance: t.instance, definitions, uiDir, ...options }).app;
    }
    async function body<T>(res: Response): Promise<T> {
      return (await res.json()) as T;
    }
    const post = (data: unknown = {}) => ({ method: "POST", headers: json, body: JSON.stringify(data) });

    describe(`HTTP API`, () => {
      it("lists sensors with effective status, interval, last tick and next tick", async () => {
        const sensors = await body<SensorSummary[]>(await api().request("/api/sensors"));
        expect(sensors.map((s) => [s.name, s.status, s.statusSource, s.minimumIntervalSeconds])).toEqual([
          ["inbox_sensor", "RUNNING", "default", 30],
          ["broken_sensor", "RUNNING", "default", 60],
          ["idle_sensor", "STOPPED", "default", 120],
        ]);
        const [inboxSensor, broken, idle] = sensors;
        const owner = { daemonId: t.daemon.id, host: hostname(), pid: process.pid };
        expect(sensors.map((s) => s.owner)).toEqual([owner, owner, null]); // the daemon leases running sensors only
        expect(inboxSensor?.lastTick?.status).toBe("SUCCESS");
        expect(inboxSensor?.nextTickAt).toBe((inboxSensor?.lastTick?.timestamp ?? 0) + 30_000);
        expect(inboxSensor?.cursor).toBe("2");
        expect(broken?.lastTick?.error?.stack).toContain("Bucket s3://landing is unreachable.");
        expect(idle?.nextTickAt).toBeNull();
      });

      it("starts and stops a sensor with POST and a JSON body, and stores nothing on GET", async () => {
        const app = api();
        expect((await app.request("/api/sensors/idle_sensor/start")).status).toBe(404);
        expect((await app.request("/api/sensors/idle_sensor/start", { method: "POST" })).status).toBe(415);
        expect((await app.request("/api/sensors/idle_sensor/start", { method: "POST", headers: json, body: "{" })).status).toBe(400);
        const started = await body<SensorSummary>(await app.request("/api/sensors/idle_sensor/start", post()));
        expect([started.status, started.statusSource]).toEqual(["RUNNING", "user"]);
        const stopped = await body<SensorSummary>(await app.request("/api/sensors/idle_sensor/stop", post()));
        expect(stopped.status).toBe("STOPPED");
        expect(await t.instance.getSensorState("idle_sensor")).toMatchObject({ status: "STOPPED", statusSource: "user" });
      });

      it("pages ticks and filters them by status", async () => {
        t.clock.advance(30_000);
        await t.daemon.runIteration();
        const all = await body<TicksPage>(await api().request("/api/sensors/inbox_sensor/ticks?limit=1"));
        expect(all.ticks.map((x) => x.status)).toEqual(["SKIPPED"]);
        expect(all.ticks[0]?.skipReason).toBe("No new files after position 2.");
        expect(all.nextBefore).not.toBeNull();
        const older = await body<TicksPage>(await api().request(`/api/sensors/inbox_sensor/ticks?limit=1&before=${all.nextBefore}`));
        expect(older.ticks[0]?.runKeys).toEqual(["a.csv", "b.csv"]);
        const success = await body<TicksPage>(await api().request("/api/sensors/inbox_sensor/ticks?status=SUCCESS,FAILURE"));
        expect(success.ticks.map((x) => x.status)).toEqual(["SUCCESS"]);
        expect((await api().request("/api/sensors/inbox_sensor/ticks?status=BOGUS")).status).toBe(400);
        expect((await api().request("/api/sensors/inbox_sensor/ticks?limit=0")).status).toBe(400);
      });

      it("previews with the stored or a given cursor and stores nothing", async () => {
        const before = await t.instance.getTicks("inbox_sensor");
        const stored = await body<PreviewResult>(await api().request("/api/sensors/inbox_sensor/preview", post()));
        expect(stored).toMatchObject({ cursorBefore: "2", skipReason: "No new files after position 2.", runRequests: [] });
        const custom = await body<PreviewResult>(await api().request("/api/sensors/inbox_sensor/preview", post({ cursor: "1" })));
        expect(custom.runRequests.map((r) => r.runKey)).toEqual(["b.csv"]);
        // Marked when the sensor already used the key: the tick would create no run.
        const used = (await t.instance.getRuns({ tags: { "vigil/sensor_name": "inbox_sensor", "vigil/run_key": "b.csv" } })).length > 0;
        expect(custom.runRequests[0]?.alreadyUsed).toBe(used);
        expect(custom.cursor).toBe("2");
        const failing = await body<PreviewResult>(await api().request("/api/sensors/broken_sensor/preview", post()));
        expect(failing.error?.message).toContain("unreachable");
        expect(await t.instance.getTicks("inbox_sensor")).toEqual(before);
        expect((await api().request("/api/sensors/inbox_sensor/preview", post({ cursor: 5 }))).status).toBe(400);
      });

      it("sets and clears a cursor", async () => {
        const set = await body<SensorSummary>(await api().request("/api/sensors/idle_sensor/cursor", post({ cursor: "abc" })));
        expect(set.cursor).toBe("abc");
        const cleared = await body<SensorSummary>(await api().request("/api/sensors/idle_sensor/cursor", post({ cursor: null })));
        expect(cleared.cursor).toBeNull();
        expect((await api().request("/api/sensors/idle_sensor/cursor", post({}))).status).toBe(400);
      });

      it("pages runs and filters them by status, job, sensor and tag", async () => {
        const app = api();
        const page = await body<RunsPage>(await app.request("/api/runs?limit=1"));
        expect(page.runs).toHaveLength(1);
        const next = await body<RunsPage>(await app.request(`/api/runs?limit=1&cursor=${page.nextCursor}`));
        expect(next.runs[0]?.runId).not.toBe(page.runs[0]?.runId);
        const bySensor = await body<RunsPage>(await app.request("/api/runs?sensor=inbox_sensor&job=etl&status=SUCCESS"));
        expect(bySensor.runs.map((r) => r.tags["vigil/run_key"]).sort()).toEqual(["a.csv", "b.csv"]);
        expect(bySensor.runs[0]?.sensorName).toBe("inbox_sensor");
        const byTag = await body<RunsPage>(await app.request("/api/runs?tag=vigil/run_key=a.csv"));
        expect(byTag.runs).toHaveLength(1);
        expect((await body<RunsPage>(await app.request("/api/runs?sensor=idle_sensor"))).runs).toEqual([]);
        expect((await app.request("/api/runs?status=DONE")).status).toBe(400);
        expect((await app.request("/api/runs?tag=novalue")).status).toBe(400);
        expect((await app.request("/api/runs?cursor=nope")).status).toBe(400);
      });

      it("shows a run with step timings and its event log paged by storage id", async () => {
        const [run] = (await t.instance.getRuns({ tags: { "vigil/run_key": "a.csv" } })) ?? [];
        const detail = await body<RunDetail>(await api().request(`/api/runs/${run?.runId}`));
        expect(detail.run.status).toBe("SUCCESS");
        expect(detail.queueInfo).toBeNull();
        expect(detail.steps.map((s) => [s.stepKey, s.status])).toEqual([["extract", "SUCCESS"], ["load", "SUCCESS"]]);
        const first = await body<EventsPage>(await api().request(`/api/runs/${run?.runId}/events?limit=2`));
        expect(first.events).toHaveLength(2);
        const rest = await body<EventsPage>(await api().request(`/api/runs/${run?.runId}/events?after=${first.nextAfter}`));
        expect(rest.events[0]?.storageId).toBeGreaterThan(first.events[1]?.storageId ?? 0);
        const missing = await api().request("/api/runs/no-such-run");
        expect(missing.status).toBe(404);
        expect(await body<{ error: string }>(missing)).toEqual({ error: 'Run "no-such-run" does not exist in this instance.' });
      });

      it("lists jobs with their op graph and config JSON Schema, assets, and the overview", async () => {
        const [etl] = await body<JobSummary[]>(await api().request("/api/jobs"));
        expect(etl?.ops.map((o) => [o.name, o.inputs])).toEqual([["extract", []], ["load", ["extract"]]]);
        expect(etl?.ops[0]?.configSchema).toMatchObject({ type: "object", required: ["path"] });
        expect(etl?.sensorNames).toEqual(["inbox_sensor", "broken_sensor", "idle_sensor"]);
        expect((await api().request("/api/jobs/nope")).status).toBe(404);
        const assets = await body<AssetSummary[]>(await api().request("/api/assets"));
        expect(assets.map((a) => a.key)).toEqual(["warehouse/files"]);
        const history = await api().request(`/api/assets/${encodeURIComponent("warehouse/files")}`);
        expect((await body<{ history: unknown[] }>(history)).history).toHaveLength(2);
        expect((await api().request("/api/assets/none")).status).toBe(404);
        const overview = await body<Overview>(await api().request("/api/overview"));
        expect(overview.recentFailures[0]?.sensorName).toBe("broken_sensor");
        expect(overview.runCounts.SUCCESS).toBe(2);
        expect((await api().request("/api/sensors/nope")).status).toBe(404);
        expect((await api().request("/api/nope")).status).toBe(404);
      });

      it("cancels a queued run with POST, 404 for an unknown run and 409 for a finished one", async () => {
        const runId = "queued-run-to-cancel";
        await t.instance.storage.addRun({ runId, jobName: "etl", status: "QUEUED", tags: HOLD_TAGS, runConfig: {}, createdAt: Date.now() });
        const app = api();
        expect((await app.request(`/api/runs/${runId}/cancel`)).status).toBe(404);
        expect((await app.request(`/api/runs/${runId}/cancel`, { method: "POST" })).status).toBe(415);
        expect((await app.request(`/api/runs/${runId}/cancel`, post({ force: "yes" }))).status).toBe(400);
        expect((await app.request(`/api/runs/${runId}/cancel`, post({ now: true }))).status).toBe(400);
        const canceled = await app.request(`/api/runs/${runId}/cancel`, post());
        expect(canceled.status).toBe(200);
        expect((await body<RunSummary>(canceled)).status).toBe("CANCELED");
        expect((await t.instance.getRun(runId))?.status).toBe("CANCELED");
        const again = await app.request(`/api/runs/${runId}/cancel`, post());
        expect(again.status).toBe(409);
        expect(await body<{ error: string }>(again)).toEqual({ error: `Run "${runId}" has already finished (CANCELED); only a queued or running run can be canceled.` });
        const missing = await app.request("/api/runs/no-such-run/cancel", post());
        expect(missing.status).toBe(404);
        expect(await body<{ error: string }>(missing)).toEqual({ error: 'Run "no-such-run" does not exist in this instance.' });
      });
    });

    describe(`HTTP API deployment, queue and force cancel`, () => {
      it("reports the live daemon with the sensors and duties it holds, workers and run counts", async () => {
        await t.daemon.runIteration();
        const status = await body<DeploymentStatus>(await api().request("/api/deployment"));
        expect(status.now).toBeGreaterThan(0);
        expect(status.daemons).toHaveLength(1);
        const [daemon] = status.daemons;
        expect(daemon).toMatchObject({ id: t.daemon.id, host: hostname(), pid: process.pid, sensors: ["broken_sensor", "inbox_sensor"], duties: ["run-monitor"] });
        expect(daemon?.heartbeatAgeMs).toBeGreaterThanOrEqual(0);
        expect(daemon?.heartbeatAgeMs).toBeLessThan(15_000);
        expect(status.runs).toEqual({ queued: 0, inFlight: 0 });
        expect(status.workers.every((w) => w.kind !== "daemon")).toBe(true);
      });

      it("names a sensor's owner only while a live daemon holds its lease", async () => {
        const ownerOf = async (name: string) => (await body<SensorSummary>(await api().request(`/api/sensors/${name}`))).owner;
        await t.instance.startSensor("idle_sensor");
        await t.daemon.runIteration(); // the running sensors changed: a lease round takes idle_sensor
        expect(await ownerOf("idle_sensor")).toEqual({ daemonId: t.daemon.id, host: hostname(), pid: process.pid });
        expect((await body<DeploymentStatus>(await api().request("/api/deployment"))).daemons[0]?.sensors).toEqual(["broken_sensor", "idle_sensor", "inbox_sensor"]);
        await t.instance.stopSensor("idle_sensor");
        await t.daemon.runIteration(); // gives idle_sensor back
        expect(await ownerOf("idle_sensor")).toBeNull();
        expect((await ownerOf("inbox_sensor"))?.daemonId).toBe(t.daemon.id);
      });

      it("shows a queued run's position and the limit holding it back", async () => {
        const runId = "queued-run-with-info";
        await t.instance.storage.addRun({ runId, jobName: "etl", status: "QUEUED", tags: HOLD_TAGS, runConfig: {}, createdAt: Date.now() });
        const detail = await body<RunDetail>(await api().request(`/api/runs/${runId}`));
        expect(detail.queueInfo).toEqual({ position: 1, blockedBy: [{ key: "hold", limit: 0, inFlight: 0 }] });
        expect((await body<DeploymentStatus>(await api().request("/api/deployment"))).runs.queued).toBe(1);
        await t.instance.cancelRun(runId);
        expect((await body<RunDetail>(await api().request(`/api/runs/${runId}`))).queueInfo).toBeNull();
      });

      it("force-cancels a running run with { force: true }, and lists the worker running it until then", async () => {
        const worker = { id: "worker-host/4242/api-test", kind: "worker" as const, host: "worker-host", pid: 4242, pidNamespace: null, info: { launcher: "subprocess" } };
        await t.instance.storage.heartbeatProcess(worker, 60_000);
        const runId = "running-run-to-force-cancel";
        await t.instance.storage.addRun({ runId, jobName: "etl", status: "STARTED", tags: {}, runConfig: {}, createdAt: Date.now() });
        await t.instance.storage.assignRunWorker(runId, worker.id, {});
        const app = api();
        try {
          const status = await body<DeploymentStatus>(await app.request("/api/deployment"));
          expect(status.workers.find((w) => w.id === worker.id)).toMatchObject({ kind: "worker", host: "worker-host", pid: 4242, runsInFlight: 1, info: { launcher: "subprocess" } });
          expect(status.runs.inFlight).toBe(1);
          expect((await api({ readOnly: true }).request(`/api/runs/${runId}/cancel`, post({ force: true }))).status).toBe(403);
          expect((await api({ authToken: "s3cret-token" }).request(`/api/runs/${runId}/cancel`, post({ force: true }))).status).toBe(401);
          // Without force the run waits for its worker; with it, it ends at once.
          expect((await body<RunSummary>(await app.request(`/api/runs/${runId}/cancel`, post()))).status).toBe("CANCELING");
          const forced = await app.request(`/api/runs/${runId}/cancel`, post({ force: true }));
          expect(forced.status).toBe(200);
          expect((await body<RunSummary>(forced)).status).toBe("CANCELED");
          expect((await t.instance.getRun(runId))?.status).toBe("CANCELED");
          expect((await app.request(`/api/runs/${runId}/cancel`, post({ force: true }))).status).toBe(409);
          expect((await app.request("/api/runs/no-such-run/cancel", post({ force: true }))).status).toBe(404);
          expect((await body<DeploymentStatus>(await app.request("/api/deployment"))).workers.find((w) => w.id === worker.id)?.runsInFlight).toBe(0);
        } finally {
          await t.instance.storage.removeProcess(worker.id);
        }
      });
    });

    describe(`HTTP API live stream`, () => {
      it("sends a change event when a tick or run is stored", async () => {
        const { app, close } = createApp({ instance: t.instance, definitions, uiDir, pollIntervalMs: 50 });
        const controller = new AbortController();
        const res = await app.request("/api/stream", { signal: controller.signal });
        expect(res.headers.get("content-type")).toContain("text/event-stream");
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        let text = "";
        while (!text.includes("event: hello")) text += decoder.decode((await reader.read()).value);
        await new Promise((r) => setTimeout(r, 150));
        inbox.push("c.csv");
        t.clock.advance(30_000);
        await t.daemon.runIteration();
        while (!text.includes("event: change")) text += decoder.decode((await reader.read()).value);
        expect(text).toMatch(/"kinds":\[[^\]]*"sensors"/);
        controller.abort();
        await reader.cancel();
        close();
      });

      it("sends a deployment change when a process registers or leaves, not on its heartbeats", async () => {
        for (const run of await t.instance.getRuns()) await t.instance.waitForRun(run.runId, { timeoutMs: 10_000 }); // nothing else changes meanwhile
        const { app, close } = createApp({ instance: t.instance, definitions, uiDir, pollIntervalMs: 50 });
        const controller = new AbortController();
        const res = await app.request("/api/stream", { signal: controller.signal });
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        let text = "";
        while (!text.includes("event: hello")) text += decoder.decode((await reader.read()).value);
        await new Promise((r) => setTimeout(r, 150));
        const worker = { id: "worker-host/4343/stream-test", kind: "worker" as const, host: "worker-host", pid: 4343, pidNamespace: null, info: {} };
        await t.instance.storage.heartbeatProcess(worker, 60_000);
        while (!text.includes("event: change")) text += decoder.decode((await reader.read()).value);
        expect(text).toMatch(/"kinds":\["deployment"\]/);
        text = "";
        const next = reader.read();
        await t.instance.storage.heartbeatProcess(worker, 60_000);
        const quiet = await Promise.race([next.then(() => false), new Promise((r) => setTimeout(() => r(true), 250))]);
        expect(quiet).toBe(true); // a heartbeat alone changes nothing
        await t.instance.storage.removeProcess(worker.id);
        text += decoder.decode((await next).value);
        while (!text.includes("event: change")) text += decoder.decode((await reader.read()).value);
        expect(text).toMatch(/"kinds":\["deployment"\]/);
        controller.abort();
        await reader.cancel();
        close();
      });
    });

    describe(`HTTP API security`, () => {
      it("refuses every mutation in read-only mode, and previews unless allowed", async () => {
        const app = api({ readOnly: true });
        const res = await app.request("/api/sensors/idle_sensor/start", post());
        expect(res.status).toBe(403);
        expect((await body<{ error: string }>(res)).error).toMatch(/read-only/);
        expect((await app.request("/api/sensors/idle_sensor/cursor", post({ cursor: "x" }))).status).toBe(403);
        const [run] = await t.instance.getRuns({ limit: 1 });
        expect((await app.request(`/api/runs/${run?.runId}/cancel`, post())).status).toBe(403);
        const preview = await app.request("/api/sensors/inbox_sensor/preview", post());
        expect(preview.status).toBe(403);
        expect((await body<{ error: string }>(preview)).error).toBe("This Vigil UI is read-only, and a preview runs sensor code; start the UI with --allow-preview to allow previews.");
        expect(await body<{ readOnly: boolean; previewAllowed: boolean }>(await app.request("/api/info"))).toMatchObject({ readOnly: true, previewAllowed: false });
        const allowing = api({ readOnly: true, allowPreview: true });
        expect((await allowing.request("/api/sensors/inbox_sensor/preview", post())).status).toBe(200);
        expect((await allowing.request("/api/sensors/idle_sensor/start", post())).status).toBe(403);
        expect(await body<{ previewAllowed: boolean }>(await allowing.request("/api/info"))).toMatchObject({ previewAllowed: true });
        expect((await app.request("/api/sensors/idle_sensor", { method: "DELETE" })).status).toBe(405);
      });

      it("requires the token on every request when one is set, by header or by the cookie ?token= sets", async () => {
        const app = api({ authToken: "s3cret-token" });
        expect((await app.request("/api/sensors")).status).toBe(401);
        expect((await app.request("/")).status).toBe(401);
        expect((await app.request("/api/sensors", { headers: { authorization: "Bearer wrong-token" } })).status).toBe(401);
        expect((await app.request("/api/sensors/idle_sensor/start", post())).status).toBe(401);
        expect((await app.request("/api/runs/no-such-run/cancel", post())).status).toBe(401);
        expect((await app.request("/api/sensors", { headers: { authorization: "Bearer s3cret-token" } })).status).toBe(200);
        const login = await app.request("/?token=s3cret-token");
        expect(login.status).toBe(302);
        expect(login.headers.get("location")).toBe("/");
        const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
        expect(login.headers.get("set-cookie")).toMatch(/HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/);
        expect((await app.request("/api/sensors", { headers: { cookie } })).status).toBe(200);
        const started = await app.request("/api/sensors/idle_sensor/start", { ...post(), headers: { ...json, cookie } });
        expect(started.status).toBe(200);
        await t.instance.stopSensor("idle_sensor");
      });

      it("answers only loopback Host headers without a token, and refuses cross-origin POSTs", async () => {
        const app = api();
        expect((await app.request("http://evil.example/api/sensors")).status).toBe(403);
        expect((await app.request("http://127.0.0.1:3000/api/sensors")).status).toBe(200);
        const cross = await app.request("/api/sensors/idle_sensor/start", { ...post(), headers: { ...json, origin: "http://evil.example" } });
        expect(cross.status).toBe(403);
      });

      it("serves the built UI without path traversal", async () => {
        const app = api();
        expect(await (await app.request("/")).text()).toContain("<title>Vigil</title>");
        const js = await app.request("/assets/app.js");
        expect(js.headers.get("content-type")).toContain("text/javascript");
        for (const path of ["/../vigil-secret.txt", "/%2e%2e/vigil-secret.txt", "/assets/%2e%2e/%2e%2e/vigil-secret.txt", "/..%2fvigil-secret.txt", "/%00", "/assets/..%5c..%5cvigil-secret.txt"]) {
          const res = await app.request(path);
          expect([400, 404], path).toContain(res.status);
          expect(await res.text(), path).not.toBe("secret");
        }
      });

      it("refuses to bind a non-loopback address without a token", async () => {
        await expect(startUiServer({ instance: t.instance, definitions, host: "0.0.0.0", port: 0 })).rejects.toThrow(/VIGIL_AUTH_TOKEN/);
        const server = await startUiServer({ instance: t.instance, definitions, port: 0, uiDir });
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        expect((await fetch(`${server.url}api/sensors`)).status).toBe(200);
        await server.close();
      });
    });
  });
}

let sqliteHome = "";
apiSuite(
  "SQLite",
  async () => {
    sqliteHome = mkdtempSync(join(tmpdir(), "vigil-ui-sqlite-"));
    return openHoldingInstance(sqliteHome);
  },
  async () => rmSync(sqliteHome, { recursive: true, force: true }),
);

const postgresUrl = inject("postgresUrl");
if (postgresUrl !== null) {
  let drop: () => Promise<void> = async () => undefined;
  let home = "";
  apiSuite(
    "PostgreSQL",
    async () => {
      const database = await createTempDatabase(postgresUrl);
      drop = database.drop;
      home = mkdtempSync(join(tmpdir(), "vigil-ui-pg-"));
      return openHoldingInstance(home, `storage:\n  postgres:\n    url: "${database.url}"\n`);
    },
    async () => {
      await drop();
      rmSync(home, { recursive: true, force: true });
    },
  );
}

describe("HTTP API without a daemon, under vigil.yaml limits", () => {
  let home = "";
  let instance: Instance;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "vigil-ui-limits-"));
    writeFileSync(
      join(home, "vigil.yaml"),
      "runLauncher: in-process\nrunCoordinator:\n  maxConcurrentRuns: 1\n  tagConcurrencyLimits:\n    - { key: team, value: data, limit: 1 }\n",
    );
    instance = await Instance.open(home);
  });
  afterAll(async () => {
    await instance.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("names every full limit holding a queued run back, and its position", async () => {
    const add = (runId: string, status: "QUEUED" | "STARTED", tags: Record<string, string>, createdAt: number) =>
      instance.storage.addRun({ runId, jobName: "etl", status, tags, runConfig: {}, createdAt });
    const { app } = createApp({ instance, definitions, uiDir: null });
    const info = async (runId: string) => ((await (await app.request(`/api/runs/${runId}`)).json()) as RunDetail).queueInfo;
    await add("queued-data", "QUEUED", { team: "data" }, T0 + 1);
    expect(await info("queued-data")).toEqual({ position: 1, blockedBy: [] }); // nothing full: it waits for a daemon
    await add("in-flight", "STARTED", { team: "data" }, T0); // takes the only slot, and the team=data one
    await add("queued-plain", "QUEUED", {}, T0 + 2);
    expect(await info("queued-data")).toEqual({
      position: 1,
      blockedBy: [
        { key: "maxConcurrentRuns", limit: 1, inFlight: 1 },
        { key: "team", value: "data", limit: 1, inFlight: 1 },
      ],
    });
    expect(await info("queued-plain")).toEqual({ position: 2, blockedBy: [{ key: "maxConcurrentRuns", limit: 1, inFlight: 1 }] });
    expect(await info("in-flight")).toBeNull();
    const deployment = (await (await app.request("/api/deployment")).json()) as DeploymentStatus;
    expect(deployment).toMatchObject({ daemons: [], runs: { queued: 2, inFlight: 1 } });
  });

  it("names no owner for a sensor whose lease is unexpired but whose daemon is gone", async () => {
    const daemon = { id: "daemon-host/777/gone", kind: "daemon" as const, host: "daemon-host", pid: 777, pidNamespace: null, info: {} };
    await instance.storage.runLeaseRound({ daemon, leaseMs: 60_000, wanted: [{ kind: "sensor", name: "inbox_sensor" }], busy: [], exclusive: false, deadProcessIds: [] });
    const { app } = createApp({ instance, definitions, uiDir: null });
    const owners = async () => ((await (await app.request("/api/sensors")).json()) as SensorSummary[]).map((s) => s.owner);
    expect(await owners()).toEqual([{ daemonId: daemon.id, host: "daemon-host", pid: 777 }, null, null]);
    const [listed] = ((await (await app.request("/api/deployment")).json()) as DeploymentStatus).daemons;
    expect(listed).toMatchObject({ id: daemon.id, sensors: ["inbox_sensor"], duties: [] });
    // Its registration is gone (as if it died) while its lease runs for another minute: nobody evaluates the sensor.
    await instance.storage.removeProcess(daemon.id);
    expect((await instance.storage.getLeases()).find((l) => l.name === "inbox_sensor")?.owner).toBe(daemon.id);
    expect(await owners()).toEqual([null, null, null]);
    expect(((await (await app.request("/api/deployment")).json()) as DeploymentStatus).daemons).toEqual([]);
  });
});
