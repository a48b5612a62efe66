import type { SensorDefinition } from "../definitions/sensor-definition.js";
import { EventType } from "../model/index.js";
import type { EventsStoredNotice } from "../storage/storage.js";

/**
 * @internal
 * True when `sensor` watches some of the events of `notice`: an asset or multi-asset sensor one of
 * its assets' materializations, a run status sensor its status event type. An unknown notice (null
 * kinds) wakes every such sensor; a plain sensor is never woken (it waits for its poll).
 */
export function watches(sensor: SensorDefinition, notice: EventsStoredNotice): boolean {
  const s = sensor as SensorDefinition & { assetKey?: { toString(): string }; monitoredAssets?: readonly { toString(): string }[]; eventType?: string };
  const types = notice.eventTypes;
  switch (sensor.sensorType) {
    case "ASSET":
    case "MULTI_ASSET": {
      if (types !== null && !types.includes(EventType.ASSET_MATERIALIZATION)) return false;
      const keys = notice.assetKeys;
      if (keys === null) return true;
      const watched = s.assetKey !== undefined ? [s.assetKey] : (s.monitoredAssets ?? []);
      return watched.some((k) => keys.includes(k.toString()));
    }
    case "RUN_STATUS":
      return types === null || (s.eventType !== undefined && types.includes(s.eventType));
    default:
      return false;
  }
}
