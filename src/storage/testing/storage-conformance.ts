import { describe } from "vitest";
import { assetCases } from "./asset-cases.js";
import { concurrencyCases } from "./concurrency-cases.js";
import { eventCases } from "./events-cases.js";
import { eventNoticeCases } from "./event-notice-cases.js";
import type { DescribeStorageOptions } from "./fixtures.js";
import { runStatusCases } from "./run-status-cases.js";
import { runCases } from "./runs-cases.js";
import { sensorTickCases } from "./sensor-tick-cases.js";
import { tickCommitCases } from "./tick-commit-cases.js";
import { leaseCases } from "./lease-cases.js";
import { runClaimCases } from "./run-claim-cases.js";

export type { DescribeStorageOptions, StorageCapabilities, StorageSpec, TestDatabase } from "./fixtures.js";

/**
 * THE storage suite: every backend runs every case. Each test opens a fresh database through
 * `open`, so tests are independent and may run in any order.
 *
 * @example
 * describeStorage({ name: "sqlite", open: openTempSqlite, capabilities: { deterministicPlans: true } });
 */
export function describeStorage(options: DescribeStorageOptions): void {
  const title = options.skip === undefined ? `storage conformance: ${options.name}` : `storage conformance: ${options.name} (SKIPPED: ${options.skip})`;
  (options.skip === undefined ? describe : describe.skip)(title, () => {
    describe("runs", () => runCases(options));
    describe("event log", () => eventCases(options));
    describe("asset keys", () => assetCases(options));
    describe("event notices", () => eventNoticeCases(options));
    describe("run status events", () => runStatusCases(options));
    describe("sensors and ticks", () => sensorTickCases(options));
    describe("tick commit", () => tickCommitCases(options));
    describe("leases and ticks under them", () => leaseCases(options));
    describe("run claims and liveness", () => runClaimCases(options));
    describe("lifecycle and concurrency", () => concurrencyCases(options));
  });
}
