import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { VigilError } from "../errors/index.js";
import type { ApiError } from "./api-types.js";

/** An error answered with `status` and `{ error: message }`. */
export function httpError(status: ContentfulStatusCode, message: string): HTTPException {
  return new HTTPException(status, { message });
}

/** `app.onError`: known errors become JSON with their status; anything else a 500 with its message. */
export function errorResponse(error: Error, c: Context): Response {
  const body = (message: string): ApiError => ({ error: message });
  if (error instanceof HTTPException) return c.json(body(error.message), error.status as ContentfulStatusCode);
  if (VigilError.is(error)) {
    const code = error.code;
    const status = code === "NOT_FOUND" ? 404 : code === "INVALID_ARGUMENT" ? 400 : 500;
    return c.json(body(error.message), status);
  }
  return c.json(body(`Internal error: ${error.message}`), 500);
}
