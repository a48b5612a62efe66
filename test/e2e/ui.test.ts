import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiServer, type UiServer } from "../../src/server/start-ui-server.js";
import { defaultUiDir } from "../../src/server/static-files.js";
import { definitions, HOLD_TAGS, inbox, openHoldingInstance, setupInstance, T0 } from "../server/fixtures.js";
import { chromiumAvailable, launchBrowser } from "./browser.js";

const run = chromiumAvailable();

describe.skipIf(!run)("web UI in headless Chromium", () => {
  let t: Awaited<ReturnType<typeof setupInstance>>;
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let home = "";

  beforeAll(async () => {
    const uiDir = defaultUiDir();
    if (uiDir === null) throw new Error("dist/ui is not built; run npm run build first.");
    home = mkdtempSync(join(tmpdir(), "vigil-e2e-"));
    t = await setupInstance(T0, () => openHoldingInstance(home)); // runs tagged HOLD_TAGS stay QUEUED
    await t.daemon.runIteration(); // inbox_sensor skips, broken_sensor fails, idle_sensor is stopped
    server = await startUiServer({ instance: t.instance, definitions, port: 0, uiDir, pollIntervalMs: 100 });
    browser = await launchBrowser();
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    if (home !== "") rmSync(home, { recursive: true, force: true });
  });

  it("toggles a sensor on the Sensors page, and the daemon picks it up", async () => {
    await page.goto(`${server.url}#/sensors`);
    const row = page.locator('tr[data-sensor="idle_sensor"]');
    await expect.poll(() => row.getByText("STOPPED").count()).toBe(1);
    await row.getByRole("switch").click();
    await expect.poll(async () => (await t.instance.getSensorState("idle_sensor"))?.status).toBe("RUNNING");
    await row.getByText("RUNNING").waitFor();
    await t.daemon.runIteration();
    await page.goto(`${server.url}#/sensors/idle_sensor`);
    await page.getByText("Idle sensor has nothing to do.").first().waitFor();
  });

  it("shows a SKIPPED tick with its reason and a FAILURE tick with its stack", async () => {
    await page.goto(`${server.url}#/sensors/inbox_sensor`);
    const skipped = page.locator('tr[data-tick-status="SKIPPED"]').first();
    await skipped.getByText("No new files after position 0.").waitFor();
    await page.goto(`${server.url}#/sensors/broken_sensor`);
    const failed = page.locator('tr[data-tick-status="FAILURE"]').first();
    const summary = failed.locator("summary");
    await summary.waitFor();
    expect(await summary.textContent()).toContain("Bucket s3://landing is unreachable.");
    const stack = failed.locator("pre");
    expect(await stack.isVisible()).toBe(false);
    await summary.click();
    expect(await stack.isVisible()).toBe(true);
    expect(await stack.textContent()).toMatch(/at .*fixtures\.ts/);
  });

  it("previews with a custom cursor and stores nothing", async () => {
    inbox.push("x.csv", "y.csv");
    await page.goto(`${server.url}#/sensors/inbox_sensor`);
    await page.getByLabel("preview cursor").fill("1");
    await page.getByRole("button", { name: "Preview" }).click();
    const result = page.getByTestId("preview-result");
    await result.getByText("Would request 1 run(s):").waitFor();
    expect(await result.textContent()).toContain("y.csv");
    expect(await result.textContent()).not.toContain("x.csv");
    expect(await t.instance.getTicks("inbox_sensor")).toHaveLength(1);
    expect(await t.instance.getRuns()).toHaveLength(0);
  });

  it("shows a new tick live, and follows its run to the event log", async () => {
    await page.goto(`${server.url}#/sensors/inbox_sensor`);
    await page.locator('tr[data-tick-status="SKIPPED"]').first().waitFor();
    t.clock.advance(30_000);
    await t.daemon.runIteration();
    const success = page.locator('tr[data-tick-status="SUCCESS"]');
    await success.waitFor(); // no reload: the SSE stream invalidated the queries
    const runs = await t.instance.getRuns();
    expect(runs).toHaveLength(2);
    for (const r of runs) await t.instance.waitForRun(r.runId, { timeoutMs: 10_000 });
    const first = runs.find((r) => r.tags["vigil/run_key"] === "x.csv");
    await success.locator(`a[href="#/runs/${first?.runId}"]`).click();
    await page.getByRole("heading", { name: `Run ${first?.runId}` }).waitFor();
    await page.locator("table.events").getByText("extracting x.csv").waitFor();
    await page.locator("table.events").getByText("RUN_SUCCESS").waitFor();
    await page.locator("table.steps").getByText("extract").first().waitFor();
    expect(await page.locator(".facts").textContent()).toContain("inbox_sensor");
  });

  it("serves runs, jobs and assets pages at their own URLs", async () => {
    await page.goto(`${server.url}#/runs?sensor=inbox_sensor`);
    await expect.poll(() => page.locator("main tbody tr").count()).toBe(2);
    await page.goto(`${server.url}#/jobs/etl`);
    await page.getByText("config schema").click();
    expect(await page.locator("main pre").first().textContent()).toContain('"path"');
    await page.goto(`${server.url}#/assets`);
    await page.getByRole("link", { name: "warehouse/files" }).click();
    await expect.poll(() => page.locator("main tbody tr").count()).toBe(2);
    await page.goto(`${server.url}#/`);
    await page.getByRole("heading", { name: "Recent sensor failures" }).waitFor();
  });

  it("cancels a queued run from its Run detail page", async () => {
    const runId = "queued-in-the-browser";
    await t.instance.storage.addRun({ runId, jobName: "etl", status: "QUEUED", tags: HOLD_TAGS, runConfig: {}, createdAt: Date.now() });
    await page.goto(`${server.url}#/runs/${runId}`);
    await page.locator(".facts").getByText("QUEUED").waitFor();
    const queue = page.getByTestId("queue-info");
    await queue.getByText("Queued: position 1").waitFor();
    await queue.getByText("tag hold 0/0 in flight").waitFor();
    expect(await page.getByRole("button", { name: "Force cancel" }).count()).toBe(0);
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.locator(".facts").getByText("CANCELED").waitFor();
    expect((await t.instance.getRun(runId))?.status).toBe("CANCELED");
    expect(await page.getByRole("button", { name: "Cancel run" }).count()).toBe(0);
    await page.locator("table.events").getByText("RUN_CANCELED").waitFor();
    expect(await page.getByTestId("queue-info").count()).toBe(0);
  });

  it("force-cancels a running run after a confirm step", async () => {
    const runId = "running-in-the-browser";
    await t.instance.storage.addRun({ runId, jobName: "etl", status: "STARTED", tags: {}, runConfig: {}, createdAt: Date.now() });
    await page.goto(`${server.url}#/runs/${runId}`);
    await page.locator(".facts").getByText("STARTED").waitFor();
    const force = page.getByRole("button", { name: "Force cancel" });
    await force.click();
    const confirm = page.getByRole("group", { name: "confirm force cancel" });
    await confirm.getByRole("button", { name: "Back" }).click();
    await confirm.waitFor({ state: "detached" });
    expect((await t.instance.getRun(runId))?.status).toBe("STARTED");
    await force.click();
    await confirm.getByRole("button", { name: "Mark CANCELED now" }).click();
    await page.locator(".facts").getByText("CANCELED").waitFor();
    expect((await t.instance.getRun(runId))?.status).toBe("CANCELED");
    expect(await force.count()).toBe(0);
    await page.locator("table.events").getByText("RUN_CANCELED").waitFor();
  });

  it("shows the daemon and the sensors it owns on the Deployment page, and each sensor's owner on the Sensors page", async () => {
    await t.daemon.runIteration(); // renews its registration and leases: idle_sensor runs since the first test
    await page.goto(`${server.url}#/sensors`);
    await page.getByRole("link", { name: "Deployment" }).click();
    await page.getByRole("heading", { name: "Deployment" }).waitFor();
    const daemon = page.locator(`tr[data-daemon="${t.daemon.id}"]`);
    await daemon.getByText("3 sensors").waitFor();
    expect(await daemon.textContent()).toContain(String(process.pid));
    await daemon.getByText("run-monitor").waitFor();
    await daemon.getByText("3 sensors").click();
    await daemon.getByRole("link", { name: "idle_sensor" }).waitFor();
    await page.getByTestId("run-counts").getByText("queued").waitFor();

    await page.goto(`${server.url}#/sensors`);
    await page.getByRole("columnheader", { name: "Owner" }).waitFor();
    const owner = (name: string) => page.locator(`tr[data-sensor="${name}"] td.owner`);
    await owner("inbox_sensor").getByText(`${hostname()}/${process.pid}`).waitFor();
    expect(await owner("inbox_sensor").locator("a").getAttribute("title")).toBe(t.daemon.id);
    // Stopped, the sensor's lease is given back at the daemon's next iteration: the column follows live.
    await t.instance.stopSensor("idle_sensor");
    await t.daemon.runIteration();
    await owner("idle_sensor").locator('[title="no live daemon holds this sensor"]').getByText("—").waitFor();
    await page.goto(`${server.url}#/deployment`);
    await daemon.getByText("2 sensors").waitFor();
  });
});

describe.skipIf(!run)("web UI in read-only mode", () => {
  it("hides every mutation", async () => {
    const t = await setupInstance();
    const server = await startUiServer({ instance: t.instance, definitions, port: 0, readOnly: true, uiDir: defaultUiDir() });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}#/sensors/inbox_sensor`);
      await page.getByText("read-only").waitFor();
      await page.getByRole("heading", { name: "inbox_sensor" }).waitFor();
      // A preview runs sensor code: refused read-only unless the UI was started with --allow-preview.
      expect(await page.getByRole("button", { name: "Preview" }).count()).toBe(0);
      expect(await page.getByRole("switch").count()).toBe(0);
      expect(await page.getByRole("button", { name: "Set cursor" }).count()).toBe(0);
      await t.instance.storage.addRun({ runId: "queued-read-only", jobName: "etl", status: "QUEUED", tags: {}, runConfig: {}, createdAt: Date.now() });
      await page.goto(`${server.url}#/runs/queued-read-only`);
      await page.locator(".facts").getByText("QUEUED").waitFor();
      await page.getByTestId("queue-info").getByText("waiting for a daemon to claim it").waitFor(); // no limit is full
      expect(await page.getByRole("button", { name: "Cancel run" }).count()).toBe(0);
      await t.instance.storage.addRun({ runId: "running-read-only", jobName: "etl", status: "STARTED", tags: {}, runConfig: {}, createdAt: Date.now() });
      await page.goto(`${server.url}#/runs/running-read-only`);
      await page.locator(".facts").getByText("STARTED").waitFor();
      expect(await page.getByRole("button", { name: "Force cancel" }).count()).toBe(0);
    } finally {
      await browser.close();
      await server.close();
      await t.close();
    }
  });
});

describe.skipIf(!run)("web UI with a token", () => {
  it("refuses a browser without the token and works after opening ?token=", async () => {
    const t = await setupInstance();
    const token = "e2e-token-123456";
    const server = await startUiServer({ instance: t.instance, definitions, port: 0, authToken: token, uiDir: defaultUiDir() });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const denied = await page.goto(`${server.url}#/sensors`);
      expect(denied?.status()).toBe(401);
      await page.goto(`${server.url}?token=${token}#/sensors`);
      expect(page.url()).not.toContain("token=");
      await page.locator('tr[data-sensor="inbox_sensor"]').waitFor();
      await page.locator('tr[data-sensor="idle_sensor"]').getByRole("switch").click();
      await expect.poll(async () => (await t.instance.getSensorState("idle_sensor"))?.status).toBe("RUNNING");
    } finally {
      await browser.close();
      await server.close();
      await t.close();
    }
  });
});
