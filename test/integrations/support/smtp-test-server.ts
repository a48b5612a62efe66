// An SMTP server on loopback (smtp-server) that keeps every message it accepts, with the session
// facts the tests check: envelope, login user, whether the connection was under TLS.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  mailFrom: string | undefined;
  rcptTo: string[];
  /** The user that logged in, if any. */
  user: string | undefined;
  /** True when the message came over TLS (implicit, or upgraded with STARTTLS). */
  secure: boolean;
  headers: Record<string, string>;
  /** The body, with quoted-printable undone. */
  body: string;
}

export interface SmtpTestServerOptions {
  /** "SSL": TLS from the start; "STARTTLS": offers STARTTLS; "PLAIN": no TLS offered. */
  mode: "SSL" | "STARTTLS" | "PLAIN";
  /** Required for SSL and STARTTLS. */
  certificate?: SelfSignedCertificate;
  /** When set, AUTH is required and must match. */
  login?: { user: string; pass: string };
}

export interface SmtpTestServer extends AsyncDisposable {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpServer(options: SmtpTestServerOptions): Promise<SmtpTestServer> {
  const mails: ReceivedMail[] = [];
  const { mode, certificate, login } = options;
  const server = new SMTPServer({
    secure: mode === "SSL",
    ...(certificate === undefined ? {} : { key: certificate.key, cert: certificate.cert }),
    ...(mode === "PLAIN" ? { disabledCommands: ["STARTTLS"] } : {}),
    authOptional: login === undefined,
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (login !== undefined && auth.username === login.user && auth.password === login.pass) return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const { headers, body } = parseMessage(raw);
        const from = session.envelope.mailFrom;
        mails.push({
          mailFrom: from === false ? undefined : from.address,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === "string" ? session.user : undefined,
          secure: session.secure,
          headers,
          body,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { port, mails, close, [Symbol.asyncDispose]: close };
}

function parseMessage(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (/quoted-printable/i.test(headers["content-transfer-encoding"] ?? "")) {
    body = decodeQuotedPrintable(body);
  }
  return { headers, body };
}

function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === "=" ? joined.slice(i + 1, i + 3) : "";
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i] ?? "", "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

export interface SelfSignedCertificate {
  key: string;
  cert: string;
}

/** A throwaway certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
export function selfSignedCertificate(): SelfSignedCertificate {
  const dir = mkdtempSync(join(tmpdir(), "vigil-cert-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
      { stdio: "ignore" },
    );
    return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
