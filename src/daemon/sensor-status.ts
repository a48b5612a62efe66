import type { SensorDefinition } from "../definitions/sensor-definition.js";
import { SensorStatus, type StoredSensorState } from "../model/index.js";
import type { Storage } from "../storage/storage.js";

/**
 * @internal The effective state of each sensor (REFERENCE 1.7): a stored `"user"` status wins; a
 * `"default"` one follows the code's `defaultStatus` (stored again when the code changed); a sensor
 * with no stored state gets one, with source `"default"`, the first time it defaults to RUNNING.
 * One read of every state, plus a write only where the stored status must follow the code.
 * Returns: by sensor name, the state of every sensor that runs or has a stored state.
 */
export async function resolveSensorStatuses(storage: Storage, sensors: readonly SensorDefinition[]): Promise<Map<string, StoredSensorState>> {
  const stored = new Map((await storage.getSensorStates()).map((s) => [s.name, s]));
  const out = new Map<string, StoredSensorState>();
  for (const sensor of sensors) {
    const state = stored.get(sensor.name);
    const wanted = sensor.defaultStatus === "RUNNING" ? SensorStatus.RUNNING : SensorStatus.STOPPED;
    if (state?.statusSource === "user") {
      out.set(sensor.name, state);
    } else if (state === undefined) {
      if (wanted === SensorStatus.RUNNING) {
        out.set(sensor.name, await storage.upsertSensorState({ name: sensor.name, status: wanted, statusSource: "default" }));
      }
    } else if (state.status !== wanted) {
      out.set(sensor.name, await storage.upsertSensorState({ name: sensor.name, status: wanted, statusSource: "default" }));
    } else {
      out.set(sensor.name, state);
    }
  }
  return out;
}
