import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { ErrorCode, LeaseLostError, VigilError } from "../../errors/index.js";
import { LeaseKind, ProcessKind, RunTag, type ProcessRegistration } from "../../model/index.js";
import type { SqlStorage } from "../sql-storage.js";
import type { LeaseKey, LeaseRound, TickCommit } from "../storage.js";
import { uid, type DescribeStorageOptions } from "./fixtures.js";

const daemon = (name: string): ProcessRegistration => ({ id: `host/${name}/${uid("d")}`, kind: ProcessKind.DAEMON, host: "host", pid: 1, pidNamespace: null, info: {} });
const sensors = (n: number): LeaseKey[] => Array.from({ length: n }, (_, i) => ({ kind: LeaseKind.SENSOR, name: `s${i}` }));
const round = (d: ProcessRegistration, wanted: LeaseKey[], overrides: Partial<LeaseRound> = {}): LeaseRound => ({
  daemon: d,
  leaseMs: 60_000,
  wanted,
  busy: [],
  exclusive: false,
  deadProcessIds: [],
  ...overrides,
});

function commitOf(tickId: number, lease: { owner: string; token: number }, runKeys: (string | null)[], cursor = "c1"): TickCommit {
  return {
    tickId,
    lease,
    runRequests: runKeys.map((runKey) => ({ jobName: "job_a", runKey, runConfig: {}, tags: {} })),
    skipReason: null,
    error: null,
    cursor,
    storeCursor: true,
    endTimestamp: 150,
    createdAt: 1_000,
  };
}

async function owners(storage: SqlStorage): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const l of await storage.getLeases()) {
    if (l.kind !== LeaseKind.SENSOR || l.owner === null) continue;
    out.set(l.owner, [...(out.get(l.owner) ?? []), l.name]);
  }
  return out;
}

/** Daemon registration, sensor leases with fencing tokens, and ticks started and committed under them. */
export function leaseCases({ open }: DescribeStorageOptions): void {
  it("gives a lone daemon every sensor, then spreads them evenly as daemons join, each sensor to exactly one", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [a, b, c] = [daemon("a"), daemon("b"), daemon("c")];
    const wanted = sensors(10);
    expect((await storage.runLeaseRound(round(a, wanted))).held).toHaveLength(10);
    // b joins: nothing is free yet; a gives back its excess at its next round, b takes it at its own.
    expect((await storage.runLeaseRound(round(b, wanted))).held).toHaveLength(0);
    expect((await storage.runLeaseRound(round(a, wanted))).held).toHaveLength(5);
    expect((await storage.runLeaseRound(round(b, wanted))).held).toHaveLength(5);
    await storage.runLeaseRound(round(c, wanted));
    for (const d of [a, b, c, a, b, c]) await storage.runLeaseRound(round(d, wanted));
    const held = await owners(storage);
    expect([...held.values()].map((n) => n.length).sort()).toEqual([3, 3, 4]);
    expect([...held.values()].flat().sort()).toEqual(wanted.map((k) => k.name).sort());
  });

  it("keeps a busy sensor past its share, and gives back sensors it no longer runs", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [a, b] = [daemon("a"), daemon("b")];
    const wanted = sensors(4);
    await storage.runLeaseRound(round(a, wanted));
    await storage.runLeaseRound(round(b, wanted));
    const kept = await storage.runLeaseRound(round(a, wanted, { busy: wanted }));
    expect(kept.held).toHaveLength(4);
    const fewer = await storage.runLeaseRound(round(a, wanted.slice(0, 1)));
    expect(fewer.held.map((g) => g.name)).toEqual(["s0"]);
  });

  it("raises the fencing token on every change of owner and frees the leases of daemons found dead", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [a, b] = [daemon("a"), daemon("b")];
    const wanted = sensors(1);
    const first = await storage.runLeaseRound(round(a, wanted));
    expect(first.held).toEqual([{ kind: "sensor", name: "s0", owner: a.id, token: 1, expiresAt: first.now + 60_000 }]);
    expect((await storage.runLeaseRound(round(a, wanted))).held[0]?.token).toBe(1);
    expect((await storage.runLeaseRound(round(b, wanted))).held).toEqual([]);
    const taken = await storage.runLeaseRound(round(b, wanted, { deadProcessIds: [a.id] }));
    expect(taken.held.map((g) => [g.name, g.owner, g.token])).toEqual([["s0", b.id, 2]]);
    expect((await storage.getProcesses({ kinds: [ProcessKind.DAEMON], aliveOnly: true })).processes.map((p) => p.id)).toEqual([b.id]);
  });

  it("lets another daemon take the leases of one whose registration expired", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [a, b] = [daemon("a"), daemon("b")];
    await storage.runLeaseRound(round(a, sensors(2), { leaseMs: 30 }));
    await sleep(60);
    const taken = await storage.runLeaseRound(round(b, sensors(2)));
    expect(taken.held.map((g) => [g.name, g.token]).sort()).toEqual([["s0", 2], ["s1", 2]]);
    expect(taken.liveDaemons).toBe(1);
  });

  it("refuses a second live daemon where only one may serve, writing nothing, and lets it in once the first released", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [a, b] = [daemon("a"), daemon("b")];
    await storage.runLeaseRound(round(a, sensors(1), { exclusive: true }));
    const refused = await storage.runLeaseRound(round(b, sensors(1), { exclusive: true }));
    expect(refused.conflict?.id).toBe(a.id);
    expect(refused.held).toEqual([]);
    expect((await storage.getProcesses({ kinds: [ProcessKind.DAEMON] })).processes.map((p) => p.id)).toEqual([a.id]);
    await storage.releaseOwner(a.id);
    expect((await storage.getLeases()).map((l) => l.owner)).toEqual([null]);
    const admitted = await storage.runLeaseRound(round(b, sensors(1), { exclusive: true }));
    expect(admitted.conflict).toBeNull();
    expect(admitted.held.map((g) => g.token)).toEqual([2]);
  });

  it("starts a tick under a held lease from the stored cursor, and refuses a stale token, writing nothing", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [a, b] = [daemon("a"), daemon("b")];
    await storage.upsertSensorState({ name: "s0", cursor: "c0", status: "RUNNING" });
    const [grant] = (await storage.runLeaseRound(round(a, sensors(1)))).held;
    const lease = { owner: a.id, token: grant?.token ?? 0 };
    const { tick, state, closed } = await storage.startTick({ sensorName: "s0", timestamp: 100, lease });
    expect(tick).toMatchObject({ status: "STARTED", cursorBefore: "c0", cursor: "c0" });
    expect(state).toMatchObject({ cursor: "c0", lastTickStartTimestamp: 100 });
    expect(closed).toEqual([]);
    // a is found dead: b takes over, and its first tick closes a's dangling one.
    const [taken] = (await storage.runLeaseRound(round(b, sensors(1), { deadProcessIds: [a.id] }))).held;
    const stale = await storage.startTick({ sensorName: "s0", timestamp: 200, lease }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(LeaseLostError);
    expect((stale as Error).message).toBe(
      `Sensor "s0": daemon ${a.id} no longer holds its lease (token 1; it is held by ${b.id} with token 2), so it did not start a tick; the sensor's current owner ticks it.`,
    );
    const next = await storage.startTick({ sensorName: "s0", timestamp: 300, lease: { owner: b.id, token: taken?.token ?? 0 } });
    expect(next.closed.map((t) => [t.id, t.status])).toEqual([[tick.id, "SKIPPED"]]);
    expect((await storage.getTick(tick.id))?.skipReason).toMatch(/^Tick \d+ was interrupted before it committed/);
    // a's commit of its old tick is refused: no run, no cursor, nothing.
    const refused = await storage.commitTick(commitOf(tick.id, lease, ["k1", null])).catch((e: unknown) => e);
    expect(VigilError.is(refused, ErrorCode.LEASE_LOST) || VigilError.is(refused, ErrorCode.INVALID_STATUS_TRANSITION)).toBe(true);
    expect(await storage.countRuns()).toBe(0);
    expect((await storage.getSensorState("s0"))?.cursor).toBe("c0");
  });

  it("checks the lease just the same when told there are no dangling ticks to close, with or without a stored state", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [a, b] = [daemon("a"), daemon("b")];
    await storage.upsertSensorState({ name: "s0", cursor: "c0", status: "RUNNING" });
    const held = (await storage.runLeaseRound(round(a, sensors(2)))).held;
    const lease = (name: string) => ({ owner: a.id, token: held.find((l) => l.name === name)?.token ?? 0 });
    const withState = await storage.startTick({ sensorName: "s0", timestamp: 100, lease: lease("s0"), closeDangling: false });
    expect(withState.tick).toMatchObject({ status: "STARTED", cursorBefore: "c0" });
    expect(withState.state).toMatchObject({ cursor: "c0", lastTickStartTimestamp: 100 });
    expect(withState.closed).toEqual([]);
    const withoutState = await storage.startTick({ sensorName: "s1", timestamp: 100, lease: lease("s1"), closeDangling: false });
    expect(withoutState.tick).toMatchObject({ status: "STARTED", cursorBefore: null });
    expect(withoutState.state).toBeNull();
    await storage.runLeaseRound(round(b, sensors(2), { deadProcessIds: [a.id] }));
    for (const name of ["s0", "s1"]) {
      const stale = await storage.startTick({ sensorName: name, timestamp: 200, lease: lease(name), closeDangling: false }).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(LeaseLostError);
    }
    // Nothing of the refused starts was written: no tick, and the state keeps the first start.
    expect((await storage.getTicks("s0")).map((t) => t.id)).toEqual([withState.tick.id]);
    expect((await storage.getSensorState("s0"))?.lastTickStartTimestamp).toBe(100);
  });

  it("refuses the commit of a tick whose lease another daemon took meanwhile, writing nothing", async () => {
    await using db = await open();
    const storage = await db.connect();
    const [a, b] = [daemon("a"), daemon("b")];
    const [grant] = (await storage.runLeaseRound(round(a, sensors(1)))).held;
    const lease = { owner: a.id, token: grant?.token ?? 0 };
    const { tick } = await storage.startTick({ sensorName: "s0", timestamp: 100, lease });
    await storage.runLeaseRound(round(b, sensors(1), { deadProcessIds: [a.id] }));
    const refused = await storage.commitTick(commitOf(tick.id, lease, ["k1", null])).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LeaseLostError);
    expect(await storage.countRuns()).toBe(0);
    expect((await storage.getTick(tick.id))?.status).toBe("STARTED");
  });

  it("ends a tick FAILURE and creates nothing when its cursor was edited while it ran", async () => {
    await using db = await open();
    const storage = await db.connect();
    const a = daemon("a");
    await storage.upsertSensorState({ name: "s0", cursor: "c0", status: "RUNNING" });
    const [grant] = (await storage.runLeaseRound(round(a, sensors(1)))).held;
    const lease = { owner: a.id, token: grant?.token ?? 0 };
    const { tick } = await storage.startTick({ sensorName: "s0", timestamp: 100, lease });
    await storage.upsertSensorState({ name: "s0", cursor: "edited" });
    const { tick: ended, runs } = await storage.commitTick(commitOf(tick.id, lease, ["k1", null], "c1"));
    expect(runs).toEqual([]);
    expect(ended.status).toBe("FAILURE");
    expect(ended.error?.message).toBe(
      `Sensor "s0": its cursor changed while tick ${tick.id} ran (from "c0" to "edited", e.g. by "vigil sensor cursor"); the tick's run requests and cursor were discarded, and the next tick starts from the new cursor.`,
    );
    expect(await storage.countRuns()).toBe(0);
    expect((await storage.getSensorState("s0"))?.cursor).toBe("edited");
  });

  it("creates at most one run per run key when two ticks of one sensor commit the same keys at once", async () => {
    await using db = await open();
    const [s1, s2] = [await db.connect(), await db.connect()];
    for (let attempt = 0; attempt < 5; attempt++) {
      const keys = Array.from({ length: 50 }, (_, i) => `k${attempt}-${i}`);
      const t1 = await s1.createTick({ sensorName: "s", timestamp: 100, cursorBefore: null });
      const t2 = await s2.createTick({ sensorName: "s", timestamp: 100, cursorBefore: null });
      const commit = (tickId: number, ks: string[]): TickCommit => ({ ...commitOf(tickId, { owner: "", token: 0 }, ks, null as unknown as string), lease: undefined, cursor: null, storeCursor: false });
      const [r1, r2] = await Promise.all([s1.commitTick(commit(t1.id, keys)), s2.commitTick(commit(t2.id, [...keys].reverse()))]);
      expect(r1.runs.length + r2.runs.length).toBe(keys.length);
      for (const key of keys) expect(await s1.countRuns({ tags: { [RunTag.SENSOR_NAME]: "s", [RunTag.RUN_KEY]: key } })).toBe(1);
    }
  });
}
