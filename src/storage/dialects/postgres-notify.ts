// PostgreSQL LISTEN/NOTIFY for `Storage.onEventsStored`: every event append sends one
// notification at its commit; listeners hold a dedicated connection that reconnects on error.
import { sql, type Transaction } from "kysely";
import pg from "pg";
import type { Database } from "../schema.js";
import type { EventsStoredNotice } from "../storage.js";
import { UNKNOWN_EVENTS } from "../queries/event-notices.js";

/** NOTIFY payloads must stay under 8000 bytes; a larger notice says "anything". */
const MAX_PAYLOAD = 7000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;

/** The channel of a schema's event appends (one per schema, so schemas do not wake each other). */
function channelOf(schema: string): string {
  return `vigil_events_${schema}`;
}

/** Queues a notification of `notice` in `trx`; PostgreSQL delivers it when `trx` commits. */
export async function notifyEventsStored(trx: Transaction<Database>, schema: string, notice: EventsStoredNotice): Promise<void> {
  let payload = JSON.stringify({ t: notice.eventTypes, a: notice.assetKeys });
  if (Buffer.byteLength(payload) > MAX_PAYLOAD) payload = JSON.stringify({ t: null, a: null });
  await sql`select pg_notify(${channelOf(schema)}, ${payload})`.execute(trx);
}

/** Parses a payload; anything unexpected is an unknown-kinds notice. */
function parse(payload: string | undefined): EventsStoredNotice {
  try {
    const p = JSON.parse(payload ?? "") as { t?: unknown; a?: unknown };
    const list = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : null);
    return { eventTypes: list(p.t), assetKeys: list(p.a) };
  } catch {
    return UNKNOWN_EVENTS;
  }
}

/**
 * LISTENs on a dedicated connection and calls `callback` per notification. When the connection
 * fails (server restart, network), it reconnects with a growing delay (up to 5 s) and then calls
 * `callback` with an unknown-kinds notice, since notifications sent meanwhile were lost. Returns
 * the stop function.
 */
export function listenForEvents(config: pg.ClientConfig, schema: string, callback: (notice: EventsStoredNotice) => void): () => void {
  let stopped = false;
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | undefined;
  let delay = RECONNECT_MIN_MS;

  const retry = () => {
    if (stopped || timer !== undefined) return;
    const old = client;
    client = null;
    void old?.end().catch(() => undefined);
    timer = setTimeout(() => {
      timer = undefined;
      void connect(true);
    }, delay).unref();
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  const connect = async (reconnecting: boolean) => {
    const c = new pg.Client(config);
    client = c;
    c.on("error", retry);
    c.on("end", () => {
      if (client === c) retry();
    });
    c.on("notification", (message) => {
      if (!stopped && message.channel === channelOf(schema)) callback(parse(message.payload));
    });
    try {
      await c.connect();
      await c.query(`listen "${channelOf(schema).replaceAll('"', '""')}"`);
      if (stopped) return void c.end().catch(() => undefined);
      delay = RECONNECT_MIN_MS;
      if (reconnecting) callback(UNKNOWN_EVENTS);
    } catch {
      if (client === c) retry();
    }
  };

  void connect(false);
  return () => {
    stopped = true;
    clearTimeout(timer);
    const c = client;
    client = null;
    void c?.end().catch(() => undefined);
  };
}
