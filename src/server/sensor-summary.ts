import type { SensorDefinition } from "../definitions/sensor-definition.js";
import type { Instance } from "../instance/instance.js";
import { LeaseKind, ProcessKind, SensorStatus, type SensorState, type SensorStatusSource } from "../model/index.js";
import type { SensorOwner, SensorSummary } from "./api-types.js";

/**
 * The effective status of a sensor, without writing anything: a stored user start/stop wins;
 * otherwise the code's `defaultStatus` (what the daemon resolves on its next iteration).
 */
export function effectiveStatus(sensor: SensorDefinition, state: SensorState | null): { status: SensorStatus; statusSource: SensorStatusSource } {
  if (state?.statusSource === "user") return { status: state.status, statusSource: "user" };
  return { status: sensor.defaultStatus === "RUNNING" ? SensorStatus.RUNNING : SensorStatus.STOPPED, statusSource: "default" };
}

/**
 * The live daemon holding each sensor's lease, by sensor name: one read of the leases and one of the
 * live daemons, both judged on the database clock. A lease whose owner is not alive any more (it
 * died without releasing it) names no owner, though it is not expired yet: nobody evaluates it.
 */
export async function sensorOwners(instance: Instance): Promise<Map<string, SensorOwner>> {
  const [leases, { now, processes }] = await Promise.all([instance.storage.getLeases(), instance.storage.getProcesses({ kinds: [ProcessKind.DAEMON], aliveOnly: true })]);
  const daemons = new Map(processes.map((p) => [p.id, p]));
  const owners = new Map<string, SensorOwner>();
  for (const lease of leases) {
    if (lease.kind !== LeaseKind.SENSOR || lease.owner === null || (lease.expiresAt ?? 0) <= now) continue;
    const daemon = daemons.get(lease.owner);
    if (daemon !== undefined) owners.set(lease.name, { daemonId: daemon.id, host: daemon.host, pid: daemon.pid });
  }
  return owners;
}

/** One sensor's summary: effective status, interval, last tick, next tick estimate, lag and owner. */
export async function summarizeSensor(instance: Instance, sensor: SensorDefinition, state: SensorState | null, now: number, owner: SensorOwner | null): Promise<SensorSummary> {
  const { status, statusSource } = effectiveStatus(sensor, state);
  const [lastTick] = await instance.storage.getTicks(sensor.name, { limit: 1 });
  const intervalMs = sensor.minimumIntervalSeconds * 1000;
  const running = status === SensorStatus.RUNNING;
  const nextTickAt = !running ? null : lastTick === undefined ? now : lastTick.timestamp + intervalMs;
  return {
    name: sensor.name,
    description: sensor.description,
    sensorType: sensor.sensorType,
    status,
    statusSource,
    minimumIntervalSeconds: sensor.minimumIntervalSeconds,
    targetJobNames: [...sensor.targetJobNames],
    lastTick: lastTick ?? null,
    nextTickAt,
    lagMs: nextTickAt === null || lastTick === undefined ? null : Math.max(0, now - nextTickAt),
    cursor: state?.cursor ?? null,
    owner,
  };
}

/** Summaries of every sensor, in definitions order (one read of all stored states, of the leases and of the live daemons). */
export async function summarizeSensors(instance: Instance, sensors: readonly SensorDefinition[], now = Date.now()): Promise<SensorSummary[]> {
  const [stored, owners] = await Promise.all([instance.storage.getSensorStates(), sensorOwners(instance)]);
  const states = new Map(stored.map((s) => [s.name, s]));
  return Promise.all(sensors.map((s) => summarizeSensor(instance, s, states.get(s.name) ?? null, now, owners.get(s.name) ?? null)));
}
