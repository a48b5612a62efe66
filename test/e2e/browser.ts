// Headless Debian Chromium for the browser tests (STACK.md): required in CI, skipped loudly elsewhere.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser tests can run here; in CI a missing Chromium is an error. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true") throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium in .ci/run).`);
  console.warn(`\n!!! SKIPPING browser tests: ${CHROMIUM} is missing (apt-get install -y chromium).\n`);
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
