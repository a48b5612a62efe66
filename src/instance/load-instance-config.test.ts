import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode, VigilError } from "../errors/index.js";
import { loadInstanceConfig, resolveHome } from "./load-instance-config.js";

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "vigil-config-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function withYaml(text: string): string {
  writeFileSync(join(home, "vigil.yaml"), text);
  return join(home, "vigil.yaml");
}

function errorOf(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (error) {
    if (VigilError.is(error)) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("loadInstanceConfig", () => {
  it("uses SQLite at <home>/vigil.db and every default when there is no vigil.yaml", () => {
    const config = loadInstanceConfig(home);
    expect(config).toEqual({
      // Every commit synced: a committed tick survives a power cut.
      storage: { kind: "sqlite", path: join(home, "vigil.db"), synchronous: "FULL" },
      runLauncher: "subprocess",
      subprocessLauncher: { warmWorkers: 2 },
      // A process per run: twice the CPUs, not unlimited.
      runCoordinator: { maxConcurrentRuns: 2 * availableParallelism(), tagConcurrencyLimits: [] },
      sensors: { timeoutSeconds: 60, workers: 4 },
      daemon: { leaseSeconds: 15 },
      worker: { concurrency: 4, shutdownGraceSeconds: 30, cancelGraceSeconds: 10 },
      queueLauncher: { queues: {} },
      runMonitoring: { heartbeatTimeoutSeconds: 60, startTimeoutSeconds: 180, heartbeatIntervalMs: 10_000 },
      retention: { sensor: { purgeAfterDays: { skipped: 7, success: -1, failure: -1, started: -1 } } },
    });
  });

  it("resolves a relative sqlite path against the home folder and keeps an absolute one", () => {
    withYaml("storage:\n  sqlite:\n    path: data/x.db\n");
    expect(loadInstanceConfig(home).storage).toEqual({ kind: "sqlite", path: join(home, "data/x.db"), synchronous: "FULL" });
    withYaml("storage:\n  sqlite:\n    path: /var/x.db\n");
    expect(loadInstanceConfig(home).storage).toEqual({ kind: "sqlite", path: "/var/x.db", synchronous: "FULL" });
    withYaml("storage:\n  sqlite:\n    path: x.db\n    synchronous: NORMAL\n");
    expect(loadInstanceConfig(home).storage).toMatchObject({ synchronous: "NORMAL" });
  });

  it("selects PostgreSQL from a URL or from an environment variable", () => {
    withYaml("storage:\n  postgres:\n    url: postgres://u@h:5432/d\n");
    expect(loadInstanceConfig(home).storage).toEqual({ kind: "postgres", url: "postgres://u@h:5432/d" });
    withYaml("storage:\n  postgres:\n    url:\n      env: MY_PG\n");
    expect(loadInstanceConfig(home, { MY_PG: "postgres://x/y" }).storage).toEqual({ kind: "postgres", url: "postgres://x/y" });
  });

  it("keeps given settings and fills the rest with defaults", () => {
    withYaml(
      [
        "runLauncher: in-process",
        "subprocessLauncher: { warmWorkers: 0 }",
        "runCoordinator:",
        "  maxConcurrentRuns: 3",
        "  tagConcurrencyLimits:",
        "    - { key: team, value: data, limit: 1 }",
        "sensors: { timeoutSeconds: 5 }",
        "retention: { sensor: { purgeAfterDays: { skipped: 1, failure: 30 } } }",
      ].join("\n"),
    );
    const config = loadInstanceConfig(home);
    expect(config.runLauncher).toBe("in-process");
    expect(config.subprocessLauncher).toEqual({ warmWorkers: 0 });
    expect(config.runCoordinator).toEqual({ maxConcurrentRuns: 3, tagConcurrencyLimits: [{ key: "team", value: "data", limit: 1 }] });
    expect(config.sensors).toEqual({ timeoutSeconds: 5, workers: 4 });
    expect(config.retention.sensor.purgeAfterDays).toEqual({ skipped: 1, success: -1, failure: 30, started: -1 });
  });

  it("rejects an unknown top-level key, naming it and the allowed keys", () => {
    const file = withYaml("storgae:\n  sqlite: { path: x.db }\n");
    const error = errorOf(() => loadInstanceConfig(home));
    expect(error.code).toBe(ErrorCode.INSTANCE_CONFIG_INVALID);
    expect(error.message).toBe(
      `${file} is invalid: unknown key "storgae"; allowed keys at the top level are: storage, runLauncher, subprocessLauncher, runCoordinator, sensors, daemon, worker, queueLauncher, runMonitoring, retention.`,
    );
  });

  it("rejects a nested unknown key, naming its full path", () => {
    const file = withYaml("sensors:\n  timeout: 5\n");
    expect(errorOf(() => loadInstanceConfig(home)).message).toBe(
      `${file} is invalid: unknown key "sensors.timeout"; allowed keys at "sensors" are: timeoutSeconds, workers.`,
    );
  });

  it("rejects a launcher that does not exist, listing the allowed values", () => {
    const file = withYaml("runLauncher: thread\n");
    expect(errorOf(() => loadInstanceConfig(home)).message).toBe(
      `${file} is invalid: "runLauncher" must be one of "in-process", "subprocess", "queue".`,
    );
  });

  it("refuses the queue launcher on SQLite, saying why and what to use, and reads its settings on PostgreSQL", () => {
    const file = withYaml("runLauncher: queue\n");
    expect(errorOf(() => loadInstanceConfig(home)).message).toBe(
      `${file} sets runLauncher "queue", which needs PostgreSQL storage: its workers on other machines take runs from a graphile-worker queue in the same PostgreSQL database; set storage.postgres.url, or use runLauncher "subprocess" (the default) with SQLite.`,
    );
    withYaml('storage: { postgres: { url: "postgres://u@h/d" } }\nrunLauncher: queue\nworker: { concurrency: 8 }\nqueueLauncher: { queues: { train: gpu } }\n');
    const config = loadInstanceConfig(home);
    expect(config).toMatchObject({ runLauncher: "queue", worker: { concurrency: 8, shutdownGraceSeconds: 30, cancelGraceSeconds: 10 }, queueLauncher: { queues: { train: "gpu" } } });
    // Workers bound how many runs execute: no global limit by default.
    expect(config.runCoordinator.maxConcurrentRuns).toBe(-1);
  });

  it("reads daemon leases and run monitoring timeouts, heartbeating every third of the timeout (at most 10 s)", () => {
    withYaml("daemon: { leaseSeconds: 6 }\nrunMonitoring: { heartbeatTimeoutSeconds: 3, startTimeoutSeconds: 20 }\nrunLauncher: in-process\n");
    const config = loadInstanceConfig(home);
    expect(config.daemon).toEqual({ leaseSeconds: 6 });
    expect(config.runMonitoring).toEqual({ heartbeatTimeoutSeconds: 3, startTimeoutSeconds: 20, heartbeatIntervalMs: 1_000 });
    // The in-process launcher's runs are promises, not processes: no default limit.
    expect(config.runCoordinator.maxConcurrentRuns).toBe(-1);
  });

  it("rejects a negative or fractional number of warm workers", () => {
    const file = withYaml("subprocessLauncher:\n  warmWorkers: -1\n");
    expect(errorOf(() => loadInstanceConfig(home)).message).toBe(`${file} is invalid: "subprocessLauncher.warmWorkers" must be at least 0.`);
    withYaml("subprocessLauncher:\n  warmWorkers: 1.5\n");
    expect(errorOf(() => loadInstanceConfig(home)).message).toMatch(/"subprocessLauncher\.warmWorkers"/);
  });

  it("rejects a wrong type, naming the key and the expected type", () => {
    const file = withYaml("sensors:\n  timeoutSeconds: soon\n");
    expect(errorOf(() => loadInstanceConfig(home)).message).toBe(`${file} is invalid: "sensors.timeoutSeconds" must be a number.`);
  });

  it("rejects a storage section that is neither sqlite nor postgres", () => {
    const file = withYaml("storage:\n  mysql: { url: x }\n");
    expect(errorOf(() => loadInstanceConfig(home)).message).toBe(
      `${file} is invalid: "storage" must be either { sqlite: { path } } or { postgres: { url } }.`,
    );
  });

  it("names the line of a YAML syntax error", () => {
    const file = withYaml("storage:\n  sqlite: [\n");
    const error = errorOf(() => loadInstanceConfig(home));
    expect(error.message).toMatch(new RegExp(`^${file.replaceAll(".", "\\.")} is not valid YAML at line \\d+, column \\d+: .+; fix the syntax\\.$`));
  });

  it("rejects a file that is not a mapping", () => {
    const file = withYaml("- a\n- b\n");
    expect(errorOf(() => loadInstanceConfig(home)).message).toBe(
      `${file} must be a YAML mapping of settings (storage, runLauncher, subprocessLauncher, runCoordinator, sensors, daemon, worker, queueLauncher, runMonitoring, retention), not a list.`,
    );
  });

  it("names the environment variable a postgres url refers to when it is unset", () => {
    const file = withYaml("storage:\n  postgres:\n    url: { env: NOPE_PG }\n");
    expect(errorOf(() => loadInstanceConfig(home, {})).message).toBe(
      `${file} sets storage.postgres.url from environment variable NOPE_PG, which is not set; set it or write the URL in the file.`,
    );
  });
});

describe("resolveHome", () => {
  it("prefers the argument, then $VIGIL_HOME, then ./.vigil", () => {
    expect(resolveHome("/a", { VIGIL_HOME: "/b" })).toBe("/a");
    expect(resolveHome(undefined, { VIGIL_HOME: "/b" })).toBe("/b");
    expect(resolveHome(undefined, {})).toBe(join(process.cwd(), ".vigil"));
  });
});
