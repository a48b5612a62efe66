// A stand-in for the Slack Web API on loopback: records each call (method, headers, form fields)
// and answers from a queue of scripted replies ({ ok: true } once the queue is empty).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlackCall {
  method: string;
  headers: IncomingHttpHeaders;
  fields: Record<string, string>;
  receivedAt: number;
}

export interface SlackReply {
  status?: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

export interface SlackApiServer extends AsyncDisposable {
  /** The base URL to give as `slackApiUrl`. */
  url: string;
  calls: SlackCall[];
  /** Queue replies; each call takes the next one. */
  reply(...replies: SlackReply[]): void;
  close(): Promise<void>;
}

export async function startSlackApiServer(): Promise<SlackApiServer> {
  const calls: SlackCall[] = [];
  const queue: SlackReply[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const fields = Object.fromEntries(new URLSearchParams(raw));
      calls.push({ method: (req.url ?? "").replace(/^\/api\//, ""), headers: req.headers, fields, receivedAt: Date.now() });
      const reply = queue.shift() ?? { body: { ok: true, channel: fields.channel ?? "C1", ts: "1700000000.000100" } };
      res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    reply: (...replies) => queue.push(...replies),
    close,
    [Symbol.asyncDispose]: close,
  };
}
