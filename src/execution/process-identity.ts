import { randomBytes } from "node:crypto";
import { readlinkSync } from "node:fs";
import { hostname } from "node:os";
import type { ProcessKind, ProcessRegistration } from "../model/index.js";

/** @internal The host name recorded on process registrations and runs. */
export const thisHost: string = hostname();

/**
 * @internal This process's PID namespace (`/proc/self/ns/pid`), or null where there is none
 * (not Linux). Two processes' pids are comparable only when host and namespace both match:
 * a container sharing the host name has its own namespace.
 */
export const thisPidNamespace: string | null = (() => {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return null;
  }
})();

/** @internal A new process id `<host>/<pid>/<random>`, unique across hosts and restarts. */
export function newProcessId(): string {
  return `${thisHost}/${process.pid}/${randomBytes(6).toString("hex")}`;
}

/** @internal The registration of this process under `id`. */
export function registrationOf(id: string, kind: ProcessKind, info: Record<string, unknown> = {}): ProcessRegistration {
  return { id, kind, host: thisHost, pid: process.pid, pidNamespace: thisPidNamespace, info };
}

/**
 * @internal True when a process registered as `record` runs on this host in this PID namespace,
 * so its pid can be probed from here. Only then may a pid say anything about its liveness.
 */
export function isProbeable(record: Pick<ProcessRegistration, "host" | "pidNamespace">): boolean {
  return record.host === thisHost && thisPidNamespace !== null && record.pidNamespace === thisPidNamespace;
}
