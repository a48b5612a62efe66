import { availableParallelism } from "node:os";
import { z } from "zod";
import { InstanceConfigError } from "../errors/index.js";

/**
 * The schema of `vigil.yaml`. Every key is optional; unknown keys are errors (a typo must not be
 * silently ignored). See docs/instance.md.
 */
const envReference = z.strictObject({ env: z.string().min(1) });
const stringOrEnv = z.union([z.string().min(1), envReference]);

const storageSchema = z.union([
  z.strictObject({ sqlite: z.strictObject({ path: z.string().min(1), synchronous: z.enum(["FULL", "NORMAL"]).optional() }) }),
  z.strictObject({ postgres: z.strictObject({ url: stringOrEnv }) }),
]);

const retentionDays = z.number().int().min(-1);
/** A work queue's name: it becomes part of a graphile-worker task identifier. */
const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export const instanceConfigSchema = z.strictObject({
  storage: storageSchema.optional(),
  runLauncher: z.enum(["in-process", "subprocess", "queue"]).optional(),
  subprocessLauncher: z.strictObject({ warmWorkers: z.number().int().min(0).optional() }).optional(),
  runCoordinator: z
    .strictObject({
      maxConcurrentRuns: z.number().int().min(-1).optional(),
      tagConcurrencyLimits: z
        .array(z.strictObject({ key: z.string().min(1), value: z.string().optional(), limit: z.number().int().min(0) }))
        .optional(),
    })
    .optional(),
  sensors: z
    .strictObject({
      timeoutSeconds: z.number().positive().optional(),
      workers: z.number().int().min(1).optional(),
    })
    .optional(),
  daemon: z.strictObject({ leaseSeconds: z.number().positive().optional() }).optional(),
  worker: z
    .strictObject({
      concurrency: z.number().int().min(1).optional(),
      shutdownGraceSeconds: z.number().min(0).optional(),
      cancelGraceSeconds: z.number().min(0).optional(),
    })
    .optional(),
  queueLauncher: z.strictObject({ queues: z.record(z.string().min(1), z.string().regex(QUEUE_NAME)).optional() }).optional(),
  runMonitoring: z
    .strictObject({
      heartbeatTimeoutSeconds: z.number().positive().optional(),
      startTimeoutSeconds: z.number().positive().optional(),
    })
    .optional(),
  retention: z
    .strictObject({
      sensor: z
        .strictObject({
          purgeAfterDays: z
            .strictObject({
              skipped: retentionDays.optional(),
              success: retentionDays.optional(),
              failure: retentionDays.optional(),
              started: retentionDays.optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

/** `vigil.yaml` as written. */
export type InstanceConfigInput = z.input<typeof instanceConfigSchema>;

/** Where runs are stored. */
export type StorageConfig = { kind: "sqlite"; path: string; synchronous: "FULL" | "NORMAL" } | { kind: "postgres"; url: string };

/** `vigil.yaml` with every default filled in and references resolved. */
export interface CompiledInstanceConfig {
  storage: StorageConfig;
  runLauncher: "in-process" | "subprocess" | "queue";
  /** Settings of the subprocess launcher (used when `runLauncher` is "subprocess"). */
  subprocessLauncher: {
    /** Worker processes kept started and ready ahead of runs; 0 starts one per run on demand. */
    warmWorkers: number;
  };
  runCoordinator: {
    /** -1: no limit. Default: twice the CPUs for the subprocess launcher (a process per run), else -1. */
    maxConcurrentRuns: number;
    tagConcurrencyLimits: { key: string; value: string | undefined; limit: number }[];
  };
  sensors: { timeoutSeconds: number; workers: number };
  /** `vigil worker`'s defaults: runs executed at once, and how long SIGTERM waits for runs in flight. */
  worker: { concurrency: number; shutdownGraceSeconds: number; cancelGraceSeconds: number };
  /** The queue launcher's routing: job name → work queue (others go to "default"). */
  queueLauncher: { queues: Record<string, string> };
  /** A daemon's registration and sensor leases last `leaseSeconds` without a renewal (renewed every third of it). */
  daemon: { leaseSeconds: number };
  /** When a run in flight counts as lost; processes executing runs heartbeat every `heartbeatIntervalMs`. */
  runMonitoring: { heartbeatTimeoutSeconds: number; startTimeoutSeconds: number; heartbeatIntervalMs: number };
  /** Days to keep ticks of each status; 0 or -1 keeps forever. */
  retention: { sensor: { purgeAfterDays: { skipped: number; success: number; failure: number; started: number } } };
}

/** Where the config came from, for messages. */
export interface ConfigSource {
  /** e.g. "/home/me/.vigil/vigil.yaml". */
  file: string;
  /** The folder relative sqlite paths are resolved against. */
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  resolvePath: (home: string, path: string) => string;
}

/**
 * Validates raw config (parsed YAML) and fills in defaults. Throws `InstanceConfigError` naming the
 * file, the key and what is allowed.
 */
export function compileInstanceConfig(raw: unknown, source: ConfigSource): CompiledInstanceConfig {
  const parsed = instanceConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new InstanceConfigError(`${source.file} is invalid: ${describeIssues(parsed.error.issues)}`);
  }
  const c = parsed.data;
  const runLauncher = c.runLauncher ?? "subprocess";
  const storage = compileStorage(c.storage, source);
  requirePostgresForQueue(runLauncher, storage, source);
  const heartbeatTimeoutSeconds = c.runMonitoring?.heartbeatTimeoutSeconds ?? 60;
  return {
    storage,
    runLauncher,
    subprocessLauncher: { warmWorkers: c.subprocessLauncher?.warmWorkers ?? 2 },
    runCoordinator: {
      maxConcurrentRuns: c.runCoordinator?.maxConcurrentRuns ?? defaultMaxConcurrentRuns(runLauncher),
      tagConcurrencyLimits: (c.runCoordinator?.tagConcurrencyLimits ?? []).map((l) => ({ key: l.key, value: l.value, limit: l.limit })),
    },
    sensors: { timeoutSeconds: c.sensors?.timeoutSeconds ?? 60, workers: c.sensors?.workers ?? 4 },
    daemon: { leaseSeconds: c.daemon?.leaseSeconds ?? 15 },
    worker: { concurrency: c.worker?.concurrency ?? 4, shutdownGraceSeconds: c.worker?.shutdownGraceSeconds ?? 30, cancelGraceSeconds: c.worker?.cancelGraceSeconds ?? 10 },
    queueLauncher: { queues: { ...(c.queueLauncher?.queues ?? {}) } },
    runMonitoring: {
      heartbeatTimeoutSeconds,
      startTimeoutSeconds: c.runMonitoring?.startTimeoutSeconds ?? 180,
      heartbeatIntervalMs: heartbeatIntervalMs(heartbeatTimeoutSeconds),
    },
    retention: {
      sensor: {
        purgeAfterDays: {
          skipped: c.retention?.sensor?.purgeAfterDays?.skipped ?? 7,
          success: c.retention?.sensor?.purgeAfterDays?.success ?? -1,
          failure: c.retention?.sensor?.purgeAfterDays?.failure ?? -1,
          started: c.retention?.sensor?.purgeAfterDays?.started ?? -1,
        },
      },
    },
  };
}

/**
 * The default `maxConcurrentRuns`: the subprocess launcher starts a process per run, so without a
 * limit a folder of 10,000 files heads for 10,000 processes; twice the CPUs keeps the machine busy
 * without drowning it. The in-process launcher's runs are promises: no limit.
 */
export function defaultMaxConcurrentRuns(runLauncher: CompiledInstanceConfig["runLauncher"]): number {
  return runLauncher === "subprocess" ? 2 * availableParallelism() : -1;
}

/** A third of the timeout, at most 10 s: two beats may be lost before a run counts as silent. */
function heartbeatIntervalMs(timeoutSeconds: number): number {
  return Math.max(100, Math.min(10_000, Math.floor((timeoutSeconds * 1000) / 3)));
}

/** The queue launcher keeps its jobs in PostgreSQL (graphile-worker), next to Vigil's tables: refuse it on SQLite, saying why. */
function requirePostgresForQueue(runLauncher: CompiledInstanceConfig["runLauncher"], storage: StorageConfig, source: ConfigSource): void {
  if (runLauncher === "queue" && storage.kind !== "postgres") {
    throw new InstanceConfigError(
      `${source.file} sets runLauncher "queue", which needs PostgreSQL storage: its workers on other machines take runs from a graphile-worker queue in the same PostgreSQL database; set storage.postgres.url, or use runLauncher "subprocess" (the default) with SQLite.`,
    );
  }
}

function compileStorage(storage: z.output<typeof storageSchema> | undefined, source: ConfigSource): StorageConfig {
  if (storage === undefined) return { kind: "sqlite", path: source.resolvePath(source.home, "vigil.db"), synchronous: "FULL" };
  if ("sqlite" in storage) return { kind: "sqlite", path: source.resolvePath(source.home, storage.sqlite.path), synchronous: storage.sqlite.synchronous ?? "FULL" };
  const url = storage.postgres.url;
  if (typeof url === "string") return { kind: "postgres", url };
  const value = source.env[url.env];
  if (value === undefined || value === "") {
    throw new InstanceConfigError(
      `${source.file} sets storage.postgres.url from environment variable ${url.env}, which is not set; set it or write the URL in the file.`,
    );
  }
  return { kind: "postgres", url: value };
}

/** Turns zod issues into sentences naming the key path and what is allowed. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map(describeIssue).join("; ") + ".";
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "the top level" : `"${path.map(String).join(".")}"`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = keyPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(issue.path);
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${[...issue.path.map(String), k].join(".")}"`).join(", ")}${allowed ? `; allowed keys at ${where} are: ${allowed.join(", ")}` : ""}`;
    }
    case "invalid_value":
      return `${where} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      if (issue.path.length === 1 && issue.path[0] === "storage") {
        return `"storage" must be either { sqlite: { path } } or { postgres: { url } }`;
      }
      return `${where} has an invalid value`;
    case "invalid_type":
      return `${where} must be ${article(issue.expected)}`;
    case "too_small":
      return `${where} must be at least ${String(issue.minimum)}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The keys the schema allows at a path, for "allowed keys are" hints. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] | null {
  let schema: z.ZodType = instanceConfigSchema;
  for (const segment of path) {
    const inner = unwrap(schema);
    if (!(inner instanceof z.ZodObject)) return null;
    const next = (inner.shape as Record<string, z.ZodType>)[String(segment)];
    if (next === undefined) return null;
    schema = next;
  }
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return Object.keys(inner.shape);
  if (inner instanceof z.ZodUnion) {
    return (inner.options as z.ZodType[]).flatMap((o) => {
      const u = unwrap(o);
      return u instanceof z.ZodObject ? Object.keys(u.shape) : [];
    });
  }
  return null;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}
