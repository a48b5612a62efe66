import { InvalidArgumentError } from "../errors/index.js";

/** Anything accepted where an asset key is expected: `"a/b"`, `["a", "b"]` or an `AssetKey`. */
export type AssetKeyLike = string | readonly string[] | AssetKey;

/**
 * The name of an asset: a path of one or more non-empty segments. Its string form joins them with
 * `/` (`"warehouse/orders"`), which is also how it is stored.
 *
 * @example
 * AssetKey.from("warehouse/orders").equals(new AssetKey(["warehouse", "orders"])) // true
 */
export class AssetKey {
  readonly path: readonly string[];

  constructor(path: readonly string[]) {
    if (!Array.isArray(path) || path.length === 0) {
      throw new InvalidArgumentError(`Asset key ${JSON.stringify(path)} is invalid; give one or more non-empty path segments, e.g. ["warehouse", "orders"].`);
    }
    for (const segment of path) {
      if (typeof segment !== "string" || segment.length === 0 || segment.includes("/")) {
        throw new InvalidArgumentError(
          `Asset key segment ${JSON.stringify(segment)} in ${JSON.stringify(path)} is invalid; each segment must be a non-empty string without "/".`,
        );
      }
    }
    this.path = Object.freeze([...path]);
  }

  /** Accepts `"a/b"`, `["a", "b"]` or an `AssetKey`. */
  static from(key: AssetKeyLike): AssetKey {
    if (key instanceof AssetKey) return key;
    if (typeof key === "string") {
      if (key.length === 0) throw new InvalidArgumentError(`Asset key "" is empty; give a name such as "my_table" or "warehouse/orders".`);
      return new AssetKey(key.split("/"));
    }
    if (Array.isArray(key)) return new AssetKey(key);
    throw new InvalidArgumentError(`Asset key ${JSON.stringify(key)} is not a string, a string array or an AssetKey.`);
  }

  /** The stored form: segments joined with `/`. */
  toString(): string {
    return this.path.join("/");
  }

  toJSON(): readonly string[] {
    return this.path;
  }

  equals(other: AssetKeyLike): boolean {
    return AssetKey.from(other).toString() === this.toString();
  }
}
