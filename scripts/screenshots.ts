// Saves PNGs of the main UI pages to docs/screenshots/ (referenced by docs/ui.md and README):
//   npm run build && npx tsx --conditions=vigil-source scripts/screenshots.ts
// It fills an ephemeral instance by running the test definitions' daemon over the last hour.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startUiServer } from "../src/server/start-ui-server.js";
import { defaultUiDir } from "../src/server/static-files.js";
import { launchBrowser } from "../test/e2e/browser.js";
import { definitions, inbox, setupInstance } from "../test/server/fixtures.js";

const OUT = fileURLToPath(new URL("../docs/screenshots/", import.meta.url));

async function main(): Promise<void> {
  const uiDir = defaultUiDir();
  if (uiDir === null) throw new Error("dist/ui is not built; run npm run build first.");
  mkdirSync(OUT, { recursive: true });
  const t = await setupInstance(Date.now() - 55 * 60_000);
  await t.instance.startSensor("idle_sensor");
  for (let minute = 0; minute < 55; minute += 1) {
    if (minute % 9 === 4) inbox.push(`orders-${minute}.csv`, ...(minute % 2 === 0 ? [`returns-${minute}.csv`] : []));
    if (minute === 40) inbox.push("x".repeat(150)); // a run whose load step fails
    await t.daemon.runIteration();
    t.clock.advance(60_000);
  }
  for (const run of await t.instance.getRuns()) await t.instance.waitForRun(run.runId, { timeoutMs: 10_000 }).catch(() => undefined);
  const server = await startUiServer({ instance: t.instance, definitions, port: 0, uiDir });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: "light" });
    const failed = (await t.instance.getRuns({ statuses: ["FAILURE"], limit: 1 }))[0];
    const shots: [string, string, (() => Promise<void>)?][] = [
      ["overview", "#/"],
      ["sensors", "#/sensors"],
      ["deployment", "#/deployment", async () => page.locator(".owned-sensors summary").first().click()],
      ["sensor-detail", "#/sensors/inbox_sensor", async () => {
        await page.getByLabel("preview cursor").fill("0");
        await page.getByRole("button", { name: "Preview" }).click();
        await page.getByTestId("preview-result").waitFor();
      }],
      ["sensor-failure", "#/sensors/broken_sensor", async () => page.locator('tr[data-tick-status="FAILURE"] summary').first().click()],
      ["runs", "#/runs"],
      ["run-detail", `#/runs/${failed?.runId ?? ""}`],
      ["jobs", "#/jobs"],
      ["assets", "#/assets/warehouse%2Ffiles"],
    ];
    for (const [name, hash, prepare] of shots) {
      await page.goto(`${server.url}${hash}`);
      await page.waitForLoadState("networkidle").catch(() => undefined);
      await page.locator("main h1").first().waitFor();
      await prepare?.();
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${OUT}${name}.png` });
      console.log(`docs/screenshots/${name}.png`);
    }
    const dark = await browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: "dark" });
    await dark.goto(`${server.url}#/sensors/inbox_sensor`);
    await dark.locator("main h1").first().waitFor();
    await dark.waitForTimeout(500);
    await dark.screenshot({ path: `${OUT}sensor-detail-dark.png` });
    console.log("docs/screenshots/sensor-detail-dark.png");
  } finally {
    await browser.close();
    await server.close();
    await t.close();
  }
}

await main();
