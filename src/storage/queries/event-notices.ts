import type { Kysely } from "kysely";
import type { EventLogEntry } from "../../model/index.js";
import type { Database } from "../schema.js";
import type { EventsStoredNotice } from "../storage.js";

/** Rows read at most per poll; beyond, the notice says "anything may have been stored". */
const POLL_ROWS = 1000;

/** A notice that says nothing about what was stored: every listener should look. */
export const UNKNOWN_EVENTS: EventsStoredNotice = { eventTypes: null, assetKeys: null };

/** The notice for a batch of stored entries: its distinct event types and asset keys. */
export function noticeOf(entries: readonly EventLogEntry[]): EventsStoredNotice {
  const eventTypes = new Set<string>();
  const assetKeys = new Set<string>();
  for (const entry of entries) {
    if (entry.event === undefined || entry.event === null) continue;
    eventTypes.add(entry.event.eventType);
    if (entry.event.assetKey !== undefined) assetKeys.add(entry.event.assetKey.toString());
  }
  return { eventTypes: [...eventTypes], assetKeys: [...assetKeys] };
}

/** The notice for the events stored with ids in (`after`, `upTo`]: distinct event types and asset keys. */
export async function selectNoticeBetween(db: Kysely<Database>, after: number, upTo: number): Promise<EventsStoredNotice> {
  const rows = await db
    .selectFrom("event_logs")
    .select(["event_type", "asset_key"])
    .where("id", ">", after)
    .where("id", "<=", upTo)
    .where("event_type", "is not", null)
    .limit(POLL_ROWS + 1)
    .execute();
  if (rows.length > POLL_ROWS) return UNKNOWN_EVENTS;
  const eventTypes = new Set(rows.flatMap((r) => (r.event_type === null ? [] : [r.event_type])));
  const assetKeys = new Set(rows.flatMap((r) => (r.asset_key === null ? [] : [r.asset_key])));
  return { eventTypes: [...eventTypes], assetKeys: [...assetKeys] };
}
