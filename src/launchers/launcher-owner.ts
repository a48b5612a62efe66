import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** @internal The host name recorded on runs, and compared by the monitor. */
export const thisHost: string = hostname();

/** Owner ids of the launchers alive in this process (added on creation, removed on close). */
const liveOwners = new Set<string>();

/** @internal A new owner id for a launcher of this process, registered as live until released. */
export function acquireOwnerId(): string {
  const id = `${thisHost}/${process.pid}/${randomBytes(6).toString("hex")}`;
  liveOwners.add(id);
  return id;
}

/** @internal Marks a launcher of this process as gone: runs it left behind are orphans. */
export function releaseOwnerId(id: string): void {
  liveOwners.delete(id);
}

/** @internal True when `id` belongs to a launcher still open in this process. */
export function isLiveOwner(id: string): boolean {
  return liveOwners.has(id);
}
