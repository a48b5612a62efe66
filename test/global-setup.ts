// Finds (or starts) the PostgreSQL server the storage suites run against, and hands its URL to
// tests via `inject("postgresUrl")`. With CI=true PostgreSQL is mandatory: never skip silently.
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./support/throwaway-postgres.js";
import { canConnect } from "./support/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

let started: ThrowawayPostgres | null = null;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.DATABASE_URL ?? null;
  if (url === null && process.env.VIGIL_TEST_NO_POSTGRES !== "1") {
    started = await startThrowawayPostgres().catch(() => null);
    url = started?.url ?? null;
  }
  if (url !== null && !(await canConnect(url))) url = null;
  if (url === null) {
    if (process.env.CI === "true") {
      throw new Error("CI=true but no PostgreSQL is reachable: set DATABASE_URL (.ci/run starts one) — PostgreSQL tests must not be skipped in CI.");
    }
    process.stderr.write("\n*** PostgreSQL not available: PostgreSQL storage tests are SKIPPED. Set DATABASE_URL to run them. ***\n\n");
  }
  project.provide("postgresUrl", url);
  return async () => {
    await started?.stop();
  };
}
