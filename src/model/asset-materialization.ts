import { AssetKey, type AssetKeyLike } from "./asset-key.js";
import type { MaterializationData, Metadata } from "./event-log.js";

/** Options of `new AssetMaterialization(...)`. */
export interface AssetMaterializationOptions {
  assetKey: AssetKeyLike;
  description?: string;
  metadata?: Metadata;
  partition?: string;
}

/**
 * Records that an op produced (a new version of) an asset. Log it with `context.logEvent(...)`;
 * asset sensors react to it.
 *
 * @example
 * context.logEvent(new AssetMaterialization({ assetKey: "my_table", metadata: { rows: 10 } }));
 */
export class AssetMaterialization {
  readonly assetKey: AssetKey;
  readonly description: string | null;
  readonly metadata: Metadata;
  readonly partition: string | null;

  constructor(options: AssetMaterializationOptions) {
    this.assetKey = AssetKey.from(options.assetKey);
    this.description = options.description ?? null;
    this.metadata = options.metadata ?? {};
    this.partition = options.partition ?? null;
  }

  /** @internal The stored form. */
  toData(): MaterializationData {
    return {
      assetKey: this.assetKey,
      description: this.description,
      metadata: this.metadata,
      partition: this.partition,
    };
  }
}
