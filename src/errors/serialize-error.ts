/**
 * An error as it crosses a thread, process or storage boundary: plain data, never trusted with
 * `instanceof` on the other side.
 */
export interface SerializedError {
  name: string;
  message: string;
  stack: string;
  code?: string;
  cause?: SerializedError;
}

/** Turns anything thrown into an `Error` (strings, objects and `undefined` included). */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === "string") return new Error(thrown);
  if (typeof thrown === "object" && thrown !== null && typeof (thrown as { message?: unknown }).message === "string") {
    const e = new Error((thrown as { message: string }).message);
    const name = (thrown as { name?: unknown }).name;
    if (typeof name === "string") e.name = name;
    return e;
  }
  let text: string;
  try {
    text = JSON.stringify(thrown) ?? String(thrown);
  } catch {
    text = String(thrown);
  }
  return new Error(`A non-error value was thrown: ${text}`);
}

/** Serialises an error (and its cause chain, to a few levels) into plain data. */
export function serializeError(thrown: unknown, depth = 0): SerializedError {
  const error = toError(thrown);
  const out: SerializedError = {
    name: error.name,
    message: error.message,
    stack: error.stack ?? `${error.name}: ${error.message}`,
  };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") out.code = code;
  if (error.cause !== undefined && depth < 4) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** Rebuilds an `Error` from its serialised form, keeping name, stack and code. */
export function deserializeError(data: SerializedError): Error {
  const error = new Error(data.message, data.cause ? { cause: deserializeError(data.cause) } : undefined);
  error.name = data.name;
  error.stack = data.stack;
  if (data.code !== undefined) Object.assign(error, { code: data.code });
  return error;
}
