import { DaemonConflictError } from "../errors/index.js";
import { registrationOf } from "../execution/process-identity.js";
import { LeaseKind, ProcessKind, type LeaseGrant, type ProcessRecord } from "../model/index.js";
import type { LeaseKey, Storage } from "../storage/storage.js";
import type { DaemonLogger } from "./run-tick.js";

/** Options of `new DaemonLeases(...)`. */
export interface DaemonLeasesOptions {
  storage: Storage;
  /** This daemon's process id (`<host>/<pid>/<random>`). */
  id: string;
  /** How long a round's registration and leases last (`daemon.leaseSeconds`). */
  leaseMs: number;
  /** The fast path for dead daemons: "dead" only for a process of this host and PID namespace whose pid is gone. */
  probe: (process: ProcessRecord) => "dead" | "alive" | "unknown";
  /** What the daemon says about itself in its registration (definitions file…). */
  info: Record<string, unknown>;
  log: DaemonLogger;
}

/** A grant this daemon may act on: held as of its last round, and not lapsed on this process's clock. */
interface LocalGrant {
  grant: LeaseGrant;
  /** `performance.now()` after which the daemon stops acting on it unless a round renews it. */
  validUntil: number;
}

/**
 * @internal
 * A daemon's registration and leases. Every `leaseMs / 3` (and whenever the set of running
 * sensors changes) one lease round (`storage.runLeaseRound`) renews the daemon's heartbeat and
 * leases, frees those of dead daemons, gives back what exceeds its fair share and takes free
 * ones. A grant is acted on only until `leaseMs` after the round that renewed it started, on this
 * process's monotonic clock: a daemon cut off from storage stops ticking before any other can take
 * its sensors over. Storage checks the fencing token at every tick start and commit anyway.
 *
 * @see docs/ownership.md
 */
export class DaemonLeases {
  readonly #options: DaemonLeasesOptions;
  readonly #grants = new Map<string, LocalGrant>();
  #lastRoundAt = -Infinity;
  #lastWanted = "";
  #round: Promise<void> | null = null;
  #registered = false;

  constructor(options: DaemonLeasesOptions) {
    this.#options = options;
  }

  get id(): string {
    return this.#options.id;
  }

  /** True when a round is due: a third of the lease passed since the last one, or `wanted` changed. */
  due(wanted: readonly LeaseKey[]): boolean {
    return performance.now() - this.#lastRoundAt >= this.#options.leaseMs / 3 || wantedKey(wanted) !== this.#lastWanted;
  }

  /**
   * One lease round for `wanted` (keeping `busy` keys); joins a round in flight. Throws
   * `DaemonConflictError` when storage allows one daemon and another live one serves it.
   */
  round(wanted: readonly LeaseKey[], busy: readonly LeaseKey[]): Promise<void> {
    this.#round ??= this.#runRound(wanted, busy).finally(() => (this.#round = null));
    return this.#round;
  }

  async #runRound(wanted: readonly LeaseKey[], busy: readonly LeaseKey[]): Promise<void> {
    const { storage, id, leaseMs } = this.#options;
    const startedAt = performance.now();
    const { processes } = await storage.getProcesses({ kinds: [ProcessKind.DAEMON] });
    const dead = processes.filter((p) => p.id !== id && this.#options.probe(p) === "dead").map((p) => p.id);
    const result = await storage.runLeaseRound({
      daemon: registrationOf(id, ProcessKind.DAEMON, this.#options.info),
      leaseMs,
      wanted,
      busy,
      exclusive: !storage.supportsManyDaemons,
      deadProcessIds: dead,
    });
    if (result.conflict !== null) throw conflictError(result.conflict);
    if (!this.#registered) {
      this.#registered = true;
      this.#options.log("info", `Daemon ${id} registered (${result.liveDaemons} live daemon${result.liveDaemons === 1 ? "" : "s"}).`);
    }
    const before = new Set(this.#grants.keys());
    this.#grants.clear();
    for (const grant of result.held) this.#grants.set(grantKey(grant), { grant, validUntil: startedAt + leaseMs });
    const gained = result.held.filter((g) => !before.has(grantKey(g))).length;
    const lost = [...before].filter((k) => !this.#grants.has(k)).length;
    if (gained > 0 || lost > 0) this.#options.log("info", `Daemon ${id} now holds ${result.held.length} lease(s) (+${gained}, -${lost}) of ${result.liveDaemons} live daemon(s).`);
    this.#lastRoundAt = startedAt;
    this.#lastWanted = wantedKey(wanted);
  }

  /** The grant for `name` of `kind` if this daemon holds it and it has not lapsed locally. */
  held(kind: LeaseKey["kind"], name: string): LeaseGrant | null {
    const local = this.#grants.get(`${kind}\u0000${name}`);
    if (local === undefined || performance.now() >= local.validUntil) return null;
    return local.grant;
  }

  /** True while this daemon holds the singleton `name`. */
  holdsSingleton(name: string): boolean {
    return this.held(LeaseKind.SINGLETON, name) !== null;
  }

  /** Forgets a grant storage refused (another daemon took the lease over). */
  drop(kind: LeaseKey["kind"], name: string): void {
    this.#grants.delete(`${kind}\u0000${name}`);
  }

  /** Gives every lease back and removes the registration (a clean stop), after the round in flight. */
  async release(): Promise<void> {
    await this.#round?.catch(() => undefined);
    this.#grants.clear();
    if (this.#registered) await this.#options.storage.releaseOwner(this.#options.id);
  }
}

const grantKey = (g: LeaseKey): string => `${g.kind}\u0000${g.name}`;

function wantedKey(wanted: readonly LeaseKey[]): string {
  return wanted
    .map(grantKey)
    .sort()
    .join("\u0001");
}

function conflictError(other: ProcessRecord): DaemonConflictError {
  return new DaemonConflictError(
    `Another Vigil daemon already serves this SQLite instance: daemon ${other.id} on host ${other.host}, pid ${other.pid}, running since ${new Date(other.startedAt).toISOString()}; stop it first, or start this one with --standby to take over when it stops (SQLite allows one daemon per instance; use PostgreSQL to run several).`,
  );
}
