import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["vigil-source"] },
  ssr: { resolve: { conditions: ["vigil-source"], externalConditions: ["vigil-source"] } },
  test: {
    pool: "forks",
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    reporters: ["default", "./test/summary-reporter.ts"],
    typecheck: { enabled: true, include: ["src/**/*.test-d.ts", "test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["./test/global-setup.ts"],
  },
});
