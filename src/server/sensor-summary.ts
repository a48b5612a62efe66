import type { SensorDefinition } from "../definitions/sensor-definition.js";
import type { Instance } from "../instance/instance.js";
import { SensorStatus, type SensorState, type SensorStatusSource } from "../model/index.js";
import type { SensorSummary } from "./api-types.js";

/**
 * The effective status of a sensor, without writing anything: a stored user start/stop wins;
 * otherwise the code's `defaultStatus` (what the daemon resolves on its next iteration).
 */
export function effectiveStatus(sensor: SensorDefinition, state: SensorState | null): { status: SensorStatus; statusSource: SensorStatusSource } {
  if (state?.statusSource === "user") return { status: state.status, statusSource: "user" };
  return { status: sensor.defaultStatus === "RUNNING" ? SensorStatus.RUNNING : SensorStatus.STOPPED, statusSource: "default" };
}

/** One sensor's summary: effective status, interval, last tick, next tick estimate and lag. */
export async function summarizeSensor(instance: Instance, sensor: SensorDefinition, state: SensorState | null, now: number): Promise<SensorSummary> {
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
  };
}

/** Summaries of every sensor, in definitions order (one read of all stored states). */
export async function summarizeSensors(instance: Instance, sensors: readonly SensorDefinition[], now = Date.now()): Promise<SensorSummary[]> {
  const states = new Map((await instance.storage.getSensorStates()).map((s) => [s.name, s]));
  return Promise.all(sensors.map((s) => summarizeSensor(instance, s, states.get(s.name) ?? null, now)));
}
