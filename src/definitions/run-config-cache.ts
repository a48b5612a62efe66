import type { AnyJobDefinition } from "./job.js";

/**
 * @internal Remembers, for one tick, which run configs a job already accepted, so a sensor
 * returning 100,000 requests with the same (or an empty) config validates it once, not 100,000
 * times. A config is recognised by identity, or by its JSON text when it is pure JSON data (two such
 * configs with the same text are the same value to validation); anything else is always validated.
 */
const KNOWN = { known: true } as const;

export class ValidRunConfigs {
  readonly #byJob = new Map<AnyJobDefinition, { objects: Set<unknown>; texts: Set<string> }>();

  /** Whether `runConfig` was accepted for `job`; else returns how to record it once validated. */
  lookup(job: AnyJobDefinition, runConfig: unknown): { known: true } | { known: false; remember: () => void } {
    let seen = this.#byJob.get(job);
    if (seen === undefined) {
      seen = { objects: new Set(), texts: new Set() };
      this.#byJob.set(job, seen);
    }
    if (seen.objects.has(runConfig)) return KNOWN;
    const text = pureJsonText(runConfig);
    if (text !== null && seen.texts.has(text)) return KNOWN;
    const { objects, texts } = seen;
    return {
      known: false,
      remember: () => {
        objects.add(runConfig);
        if (text !== null) texts.add(text);
      },
    };
  }
}

/** `JSON.stringify(value)` when the value is made only of plain objects, arrays, strings, finite numbers, booleans and null; else null. */
function pureJsonText(value: unknown): string | null {
  // The default config `{}` comes once per request: one key listing, no descriptors, no stringify.
  if (isEmptyPlainObject(value)) return "{}";
  return isPureJson(value) ? JSON.stringify(value) : null;
}

function isEmptyPlainObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  // Reflect.ownKeys lists symbol and non-enumerable keys too: none of any kind.
  return (proto === Object.prototype || proto === null) && Reflect.ownKeys(value).length === 0;
}

function isPureJson(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      // -0 and 0 (and non-finite numbers) would share a text.
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPureJson(value[i])) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      // Symbol keys, non-enumerable and accessor properties are invisible to JSON: not pure.
      if (Object.getOwnPropertySymbols(value).length > 0) return false;
      // The default config `{}` comes once per request: no descriptors to read.
      if (Object.getOwnPropertyNames(value).length === 0) return true;
      for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(value))) {
        if (!descriptor.enumerable || !("value" in descriptor) || !isPureJson(descriptor.value)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
