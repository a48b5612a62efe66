import { expect, it } from "vitest";
import { EventType } from "../../model/index.js";
import type { EventsStoredNotice } from "../storage.js";
import { logEntry, materializationEntry, type DescribeStorageOptions } from "./fixtures.js";

/** `onEventsStored`: a listener hears appends made through another connection (notify or poll). */
export function eventNoticeCases({ open }: DescribeStorageOptions): void {
  it("tells a listener the event types and asset keys another connection stored, until unsubscribed", async () => {
    await using db = await open();
    const listening = await db.connect();
    const writer = await db.connect();
    const notices: EventsStoredNotice[] = [];
    const unsubscribe = listening.onEventsStored((notice) => notices.push(notice), { pollMs: 10 });
    try {
      const heard = async (check: () => boolean) => {
        for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
        return check();
      };
      // The listener may need a moment to connect (LISTEN) or to read its first storage id.
      await new Promise((r) => setTimeout(r, 300));
      await writer.storeEvents([materializationEntry("r1", "a/b")]);
      expect(await heard(() => notices.some((n) => n.assetKeys?.includes("a/b") === true))).toBe(true);
      const notice = notices.find((n) => n.assetKeys?.includes("a/b") === true);
      expect(notice?.eventTypes).toContain(EventType.ASSET_MATERIALIZATION);
      unsubscribe();
      const count = notices.length;
      await writer.storeEvents([logEntry("r1")]);
      await new Promise((r) => setTimeout(r, 200));
      expect(notices).toHaveLength(count);
    } finally {
      unsubscribe();
      await writer.close();
      await listening.close();
    }
  });
}
