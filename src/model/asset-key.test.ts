import { describe, expect, it } from "vitest";
import { AssetKey } from "./asset-key.js";
import { AssetMaterialization } from "./asset-materialization.js";

describe("AssetKey", () => {
  it("accepts a string, a string array or an AssetKey and compares by path", () => {
    const key = new AssetKey(["a", "b"]);
    expect(AssetKey.from("a/b").equals(key)).toBe(true);
    expect(AssetKey.from(["a", "b"]).equals("a/b")).toBe(true);
    expect(AssetKey.from(key)).toBe(key);
    expect(key.toString()).toBe("a/b");
    expect(key.path).toEqual(["a", "b"]);
    expect(JSON.stringify({ key })).toBe('{"key":["a","b"]}');
  });

  it("rejects empty keys and segments, naming the value", () => {
    expect(() => AssetKey.from("")).toThrow('Asset key "" is empty; give a name such as "my_table" or "warehouse/orders".');
    expect(() => new AssetKey([])).toThrow("Asset key [] is invalid; give one or more non-empty path segments");
    expect(() => AssetKey.from("a//b")).toThrow('Asset key segment "" in ["a","","b"] is invalid');
    expect(() => new AssetKey(["a/b"])).toThrow('Asset key segment "a/b" in ["a/b"] is invalid; each segment must be a non-empty string without "/".');
  });
});

describe("AssetMaterialization", () => {
  it("normalises its key and defaults its optional fields", () => {
    const m = new AssetMaterialization({ assetKey: "warehouse/orders" });
    expect(m.toData()).toEqual({ assetKey: new AssetKey(["warehouse", "orders"]), description: null, metadata: {}, partition: null });
  });
});
