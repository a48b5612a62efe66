// Fetching the API (types from src/server by `import type` only) and the live stream.
import { QueryClient, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useEffect } from "react";
import type { ApiInfo, ChangeEvent } from "../../src/server/api-types.js";

export type * from "../../src/server/api-types.js";

/** An API error with the server's one-sentence message. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { credentials: "same-origin", ...init });
  const body = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as unknown;
  if (!res.ok) throw new ApiRequestError(res.status, (body as { error?: string }).error ?? `HTTP ${res.status}`);
  return body as T;
}

/** GET an API path. */
export const get = <T>(path: string): Promise<T> => request<T>(path);

/** POST a JSON body to an API path (every mutation). */
export const post = <T>(path: string, body: unknown = {}): Promise<T> =>
  request<T>(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

export const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 2_000, retry: 1, refetchOnWindowFocus: false } } });

/** Options of `useApi`. */
export interface UseApiOptions {
  /** Refetch this often (ms) besides the live stream's invalidations: for what changes without a stored event. */
  refetchIntervalMs?: number;
}

/** `useQuery` of one API path (the path is the key). */
export function useApi<T>(path: string | null, options: UseApiOptions = {}): UseQueryResult<T> {
  return useQuery({ queryKey: [path], queryFn: () => get<T>(path ?? ""), enabled: path !== null, refetchInterval: options.refetchIntervalMs ?? false });
}

export function useInfo(): UseQueryResult<ApiInfo> {
  return useApi<ApiInfo>("/api/info");
}

/** Subscribes to `/api/stream`: every change invalidates the cached queries, which refetch. */
export function useLiveUpdates(onChange?: (event: ChangeEvent) => void): void {
  useEffect(() => {
    const source = new EventSource("/api/stream");
    source.addEventListener("change", (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as ChangeEvent;
      void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "/api/info" });
      onChange?.(event);
    });
    return () => source.close();
  }, [onChange]);
}
