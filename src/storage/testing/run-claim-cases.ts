import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { NotFoundError, StorageError } from "../../errors/index.js";
import { EventType, ProcessKind, RunStatus } from "../../model/index.js";
import type { SqlStorage } from "../sql-storage.js";
import type { RunClaim } from "../storage.js";
import { startStorageChild } from "./child-process.js";
import type { ClaimerJob } from "./claimer-process.js";
import { newRun, statusEntry, uid, type DescribeStorageOptions } from "./fixtures.js";

const claimerScript = fileURLToPath(new URL("./claimer-process.ts", import.meta.url));

/** Stores a QUEUED run of job_a with `tags`; returns its id. */
async function queued(storage: SqlStorage, tags: Record<string, string> = {}): Promise<string> {
  const run = await storage.addRun(newRun({ tags }));
  await storage.storeEvents([statusEntry(run.runId, RunStatus.QUEUED, 1_000)]);
  return run.runId;
}

const claim = (overrides: Partial<RunClaim> = {}): RunClaim => ({ claimedBy: "host/1/daemon-a", limit: 100, maxConcurrentRuns: -1, tagConcurrencyLimits: [], ...overrides });

const worker = (id: string, host = "host") => ({ id, kind: ProcessKind.WORKER, host, pid: 42, pidNamespace: null, info: {} });

/** Runs claimed in storage: limits inside the transaction, queue positions, worker assignment and heartbeats. */
export function runClaimCases({ open }: DescribeStorageOptions): void {
  it("claims queued runs oldest first within the global and tag limits, recording the claimer", async () => {
    await using db = await open();
    const storage = await db.connect();
    const a1 = await queued(storage, { db: "a" });
    const a2 = await queued(storage, { db: "a" });
    const plain = await queued(storage);
    const b1 = await queued(storage, { backfill: "x" });
    const b2 = await queued(storage, { backfill: "y" });
    const limits = { maxConcurrentRuns: 3, tagConcurrencyLimits: [{ key: "db", value: "a", limit: 1 }, { key: "backfill", limit: 1 }] };
    const first = await storage.claimQueuedRuns(claim(limits));
    expect(first.map((r) => r.runId)).toEqual([a1, plain, b1]);
    expect(first.every((r) => r.status === RunStatus.STARTING)).toBe(true);
    const [event] = await storage.getEventRecords({ eventType: EventType.RUN_STARTING, runIds: [a1] });
    expect(event?.entry.event).toMatchObject({ runStatus: "STARTING", claimedBy: "host/1/daemon-a" });
    // Full: nothing more until a run ends.
    expect(await storage.claimQueuedRuns(claim(limits))).toEqual([]);
    expect(await storage.getRunQueueInfo(a2, limits)).toEqual({
      position: 1,
      blockedBy: [
        { key: "maxConcurrentRuns", limit: 3, inFlight: 3 },
        { key: "db", value: "a", limit: 1, inFlight: 1 },
      ],
    });
    expect(await storage.getRunQueueInfo(b2, limits)).toEqual({
      position: 2,
      blockedBy: [
        { key: "maxConcurrentRuns", limit: 3, inFlight: 3 },
        { key: "backfill", limit: 1, inFlight: 1 },
      ],
    });
    await storage.storeEvents([statusEntry(a1, RunStatus.STARTED, 2_000), statusEntry(a1, RunStatus.SUCCESS, 3_000)]);
    expect((await storage.claimQueuedRuns(claim(limits))).map((r) => r.runId)).toEqual([a2]);
    expect(await storage.getRunQueueInfo(a2, limits)).toBeNull();
    expect(await storage.getRunQueueInfo(b2, limits)).toEqual({
      position: 1,
      blockedBy: [
        { key: "maxConcurrentRuns", limit: 3, inFlight: 3 },
        { key: "backfill", limit: 1, inFlight: 1 },
      ],
    });
    await expect(storage.getRunQueueInfo("nope", limits)).rejects.toThrow(NotFoundError);
  });

  it("enqueues every claimed run in the work queue in the claim's own transaction, or claims nothing", async () => {
    await using db = await open();
    const storage = await db.connect({ queue: true });
    const [a, b] = [await queued(storage), await queued(storage)];
    const queue = { defaultTask: "vigil_run:default", tasks: {} };
    if (db.spec.dialect !== "postgres") {
      // No work queue here: refused, and nothing claimed.
      await expect(storage.claimQueuedRuns(claim({ queue }))).rejects.toThrow(StorageError);
      expect((await storage.getRun(a))?.status).toBe("QUEUED");
      return;
    }
    const jobs = `${db.spec.schema}_graphile_worker.jobs`;
    // Fault injection: the queue refuses the job (task identifier over its 128 characters).
    await expect(storage.claimQueuedRuns(claim({ limit: 1, queue: { defaultTask: "x".repeat(200), tasks: {} } }))).rejects.toThrow(StorageError);
    expect((await storage.getRun(a))?.status).toBe("QUEUED");
    expect(await storage.getEventRecords({ eventType: EventType.RUN_STARTING })).toEqual([]);
    expect(await storage.inspect(`select count(*)::int as n from ${jobs}`)).toEqual({ n: 0 });
    // Claimed and enqueued together, keyed by run id; a run waiting in the queue is not timed out.
    const claimed = await storage.claimQueuedRuns(claim({ queue: { ...queue, tasks: { job_a: "vigil_run:gpu" } } }));
    expect(claimed.map((r) => r.runId)).toEqual([a, b]);
    expect(await storage.inspect(`select count(*)::int as n, min(task_identifier) as task from ${jobs} where key in ('${a}', '${b}')`)).toEqual({ n: 2, task: "vigil_run:gpu" });
    expect((await storage.getInFlightRuns()).runs.map((r) => r.queueTask)).toEqual(["vigil_run:gpu", "vigil_run:gpu"]);
    await storage.removeQueueJobs([a]);
    expect(await storage.inspect(`select count(*)::int as n from ${jobs}`)).toEqual({ n: 1 });
  });

  it("claims at most `limit` runs per call, and nothing twice", async () => {
    await using db = await open();
    const storage = await db.connect();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await queued(storage));
    const one = await storage.claimQueuedRuns(claim({ limit: 2 }));
    const two = await storage.claimQueuedRuns(claim({ limit: 2 }));
    const three = await storage.claimQueuedRuns(claim({ limit: 2 }));
    expect([...one, ...two, ...three].map((r) => r.runId)).toEqual(ids);
    expect(await storage.claimQueuedRuns(claim())).toEqual([]);
  });

  it("never exceeds a limit nor claims a run twice when three OS processes claim at once", { timeout: 120_000 }, async () => {
    await using db = await open();
    const storage = await db.connect();
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await queued(storage, i % 2 === 0 ? { team: "a" } : {}));
    const limits = { maxConcurrentRuns: 3, tagConcurrencyLimits: [{ key: "team", value: "a", limit: 1 }] };
    const children = ["c1", "c2", "c3"].map((name) => {
      const job: ClaimerJob = { spec: db.spec, claim: claim({ ...limits, claimedBy: `host/1/${name}`, limit: 2 }) };
      const started = startStorageChild<{ claimed: string[] }>(claimerScript, `claimer ${name}`, job);
      return { ...started, exited: started.exited.then((r) => r.claimed) };
    });
    await Promise.all(children.map((c) => c.ready));
    let finished = 0;
    const results = Promise.all(children.map((c) => c.exited.finally(() => finished++)));
    for (const c of children) c.go();
    const inFlight = ["STARTING", "STARTED", "CANCELING"] as const;
    let samples = 0;
    let maxTotal = 0;
    let maxTeam = 0;
    while (finished < children.length) {
      const [total, team] = await Promise.all([
        storage.countRuns({ statuses: inFlight }),
        storage.countRuns({ statuses: inFlight, tags: { team: "a" } }),
      ]);
      maxTotal = Math.max(maxTotal, total);
      maxTeam = Math.max(maxTeam, team);
      samples++;
      await sleep(3);
    }
    const claimed = (await results).flat();
    expect(samples).toBeGreaterThan(0);
    expect(maxTotal).toBeLessThanOrEqual(3);
    expect(maxTeam).toBeLessThanOrEqual(1);
    expect([...claimed].sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect((await storage.getRun(id))?.status).toBe("SUCCESS");
      expect(await storage.getEventRecords({ eventType: EventType.RUN_STARTING, runIds: [id] })).toHaveLength(1);
    }
  });

  it("records a run's worker before the hand-off and answers heartbeats with the runs to stop", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [r1, r2, r3] = [await queued(storage), await queued(storage), await queued(storage)];
    await storage.claimQueuedRuns(claim());
    const w = worker(uid("w"));
    expect(await storage.assignRunWorker(r1, w.id, { "vigil/worker_id": w.id })).toMatchObject({ "vigil/worker_id": w.id });
    await expect(storage.assignRunWorker("nope", w.id, {})).rejects.toThrow(NotFoundError);
    const before = await storage.getInFlightRuns();
    const entry = before.runs.find((r) => r.run.runId === r1);
    expect(entry).toMatchObject({ claimedBy: "host/1/daemon-a", workerId: w.id });
    expect(entry?.claimedAt).toBeGreaterThan(0);
    expect(entry?.heartbeatAt).toBeGreaterThan(0);
    expect(before.runs.find((r) => r.run.runId === r2)).toMatchObject({ workerId: null, heartbeatAt: null });
    await storage.storeEvents([statusEntry(r2, RunStatus.CANCELING, 2_000), statusEntry(r3, RunStatus.CANCELED, 2_000)]);
    const answer = await storage.heartbeatRuns(w, [r1, r2, r3], 10_000);
    expect(answer).toEqual({ now: expect.any(Number) as number, canceling: [r2], ended: [r3] });
    const after = await storage.getInFlightRuns();
    expect(after.runs.find((r) => r.run.runId === r2)).toMatchObject({ workerId: w.id });
    expect(after.runs.find((r) => r.run.runId === r2)?.heartbeatAt).toBeGreaterThanOrEqual(answer.now - 1);
    expect(after.runs.map((r) => r.run.runId).sort()).toEqual([r1, r2].sort());
    const { processes } = await storage.getProcesses({ aliveOnly: true });
    expect(processes.map((p) => p.id)).toEqual([w.id]);
  });

  it("stores what a run printed in order and reads it back in pages", async () => {
    await using db = await open();
    const storage = await db.connect();
    const runId = await queued(storage);
    await storage.appendRunLogs(runId, [
      { stream: "stdout", timestamp: 1, text: "one\n" },
      { stream: "stderr", timestamp: 2, text: "two\n" },
    ]);
    await storage.appendRunLogs(runId, [{ stream: "stdout", timestamp: 3, text: "three\n" }]);
    const all = await storage.getRunLogs(runId);
    expect(all.map((l) => [l.stream, l.text])).toEqual([["stdout", "one\n"], ["stderr", "two\n"], ["stdout", "three\n"]]);
    const page = await storage.getRunLogs(runId, { afterId: all[0]?.id ?? 0, limit: 1 });
    expect(page.map((l) => l.text)).toEqual(["two\n"]);
    expect(await storage.getRunLogs("other")).toEqual([]);
  });

  it("registers processes, renews them, forgets expired ones among the live, and removes them", async () => {
    await using db = await open();
    const storage = await db.connect();
    const a = worker(uid("a"), "host-a");
    const b = worker(uid("b"), "host-b");
    const first = await storage.heartbeatProcess(a, 60_000);
    expect(first).toMatchObject({ id: a.id, kind: "worker", host: "host-a", pid: 42, pidNamespace: null, info: {} });
    expect(first.expiresAt - first.heartbeatAt).toBe(60_000);
    await storage.heartbeatProcess(b, 1);
    await sleep(20);
    const renewed = await storage.heartbeatProcess({ ...a, info: { runs: 3 } }, 60_000);
    expect(renewed.startedAt).toBe(first.startedAt);
    expect(renewed.info).toEqual({ runs: 3 });
    expect((await storage.getProcesses({ aliveOnly: true })).processes.map((p) => p.id)).toEqual([a.id]);
    expect((await storage.getProcesses()).processes.map((p) => p.id).sort()).toEqual([a.id, b.id].sort());
    await storage.removeProcess(a.id);
    expect((await storage.getProcesses({ kinds: [ProcessKind.WORKER], aliveOnly: true })).processes).toEqual([]);
  });
}
