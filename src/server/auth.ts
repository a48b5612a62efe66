import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { httpError } from "./http-error.js";

/** The cookie `?token=` sets, so the browser carries the token on every later request. */
export const TOKEN_COOKIE = "vigil_token";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Hosts that may be bound without a token. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host === "::1";
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Security of every request (SPEC §6):
 * - with a token, the request must carry it (`Authorization: Bearer T`, or the `vigil_token`
 *   cookie that a GET with `?token=T` sets before redirecting to the same URL without it);
 * - without one (loopback only), the `Host` header must name a loopback host, which defeats DNS
 *   rebinding;
 * - a POST must come from the same origin when the browser says where it comes from;
 * - in read-only mode every mutation is refused with 403, and so is a preview (it runs sensor code)
 *   unless `allowPreview`.
 */
export function security(options: { authToken: string | null; readOnly: boolean; allowPreview: boolean }): MiddlewareHandler {
  const { authToken, readOnly, allowPreview } = options;
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (authToken === null) {
      if (!isLoopbackHost(url.hostname)) throw httpError(403, `Host "${url.host}" is not allowed; without VIGIL_AUTH_TOKEN the UI answers only on 127.0.0.1 or localhost.`);
    } else {
      const queryToken = c.req.method === "GET" ? c.req.query("token") : undefined;
      if (queryToken !== undefined && same(queryToken, authToken)) {
        setCookie(c, TOKEN_COOKIE, authToken, { httpOnly: true, sameSite: "Strict", path: "/" });
        url.searchParams.delete("token");
        return c.redirect(url.pathname + url.search + url.hash, 302);
      }
      const bearer = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
      const given = bearer ?? getCookie(c, TOKEN_COOKIE);
      if (given === undefined || !same(given, authToken)) {
        throw httpError(401, "This Vigil UI needs its token; open it with ?token=<VIGIL_AUTH_TOKEN> or send Authorization: Bearer <token>.");
      }
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      if (c.req.method !== "POST") throw httpError(405, `Method ${c.req.method} is not allowed; mutations are POST requests.`);
      const origin = c.req.header("origin");
      if (origin !== undefined && origin !== "null" && new URL(origin).host !== url.host) {
        throw httpError(403, `Cross-origin request from ${origin} refused.`);
      }
      const preview = url.pathname.endsWith("/preview");
      if (readOnly && preview && !allowPreview) {
        throw httpError(403, "This Vigil UI is read-only, and a preview runs sensor code; start the UI with --allow-preview to allow previews.");
      }
      if (readOnly && !preview) throw httpError(403, "This Vigil UI is read-only; mutations are disabled (--read-only).");
    }
    await next();
  };
}
