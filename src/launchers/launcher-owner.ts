import { newProcessId } from "../execution/process-identity.js";

/** Stops the execution of a run; resolves with false when the launcher is not executing it. */
export type RunTerminator = (runId: string) => Promise<boolean>;

/** Owner ids of the launchers alive in this process (added on creation, removed on close), with their terminator. */
const liveOwners = new Map<string, RunTerminator | null>();

/** @internal A new owner id for a launcher of this process, registered as live until released. */
export function acquireOwnerId(): string {
  const id = newProcessId();
  liveOwners.set(id, null);
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

/** @internal Registers how the live launcher `id` stops a run it executes (`RunLauncher.terminate`). */
export function setOwnerTerminator(id: string, terminate: RunTerminator): void {
  if (liveOwners.has(id)) liveOwners.set(id, terminate);
}

/** @internal The terminator of the live launcher `id` of this process, or null. */
export function ownerTerminator(id: string): RunTerminator | null {
  return liveOwners.get(id) ?? null;
}
