import type { Definitions } from "../definitions/definitions.js";
import type { SensorDefinition } from "../definitions/sensor-definition.js";
import type { Instance } from "../instance/instance.js";
import { inThreadPreviewer, type SensorPreviewer } from "../instance/preview-sensor.js";

/** Where the definitions come from: a loaded object, or a getter (e.g. `vigil dev`, which reloads them). */
export type DefinitionsSource = Definitions | (() => Definitions | Promise<Definitions>);

/** Options of `createApp` (and `startUiServer`). */
export interface AppOptions {
  instance: Instance;
  definitions: DefinitionsSource;
  /** Refuse every mutation with 403 (and tell the UI to hide them). @defaultValue false */
  readOnly?: boolean;
  /** When set, every request must carry it (`Authorization: Bearer`, or the cookie set by `?token=`). */
  authToken?: string | null;
  /** The built UI's folder; by default the one shipped in the package (`dist/ui`). */
  uiDir?: string | null;
  /** How often the live stream polls storage (ms). @defaultValue 500 */
  pollIntervalMs?: number;
  /**
   * How previews run. The CLI gives a sandbox (a worker thread loading the definitions file,
   * killed at the sensor's timeout); without one, previews run in the server's thread (for a
   * definitions object, which has no file to load). @defaultValue in the server's thread
   */
  previewer?: SensorPreviewer;
  /** In read-only mode, still allow previews (they run sensor code but store nothing). @defaultValue false */
  allowPreview?: boolean;
}

/** @internal What every route reads. */
export interface ServerContext {
  instance: Instance;
  readOnly: boolean;
  /** Whether previews are served (always, unless read-only without `allowPreview`). */
  previewAllowed: boolean;
  previewer: SensorPreviewer;
  definitions(): Promise<Definitions>;
  sensors(): Promise<readonly SensorDefinition[]>;
}

/** @internal Builds the shared context of the routes. */
export function serverContext(options: AppOptions): ServerContext {
  const source = options.definitions;
  const definitions = async (): Promise<Definitions> => (typeof source === "function" ? source() : source);
  return {
    instance: options.instance,
    readOnly: options.readOnly === true,
    previewAllowed: options.readOnly !== true || options.allowPreview === true,
    previewer: options.previewer ?? inThreadPreviewer(options.instance, definitions),
    definitions,
    // Definitions.sensors holds SensorLike; every sensor a definitions module can hold is a SensorDefinition.
    sensors: async () => (await definitions()).sensors as unknown as readonly SensorDefinition[],
  };
}
