// Hash routing: every view has a shareable URL (#/sensors/name, #/runs/id…).
import { useEffect, useState } from "react";

/** The current route as path segments (decoded) and query parameters. */
export interface Route {
  parts: string[];
  params: URLSearchParams;
}

function parse(): Route {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [path = "", query = ""] = hash.split("?");
  return { parts: path.split("/").filter((p) => p !== "").map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onChange = () => setRoute(parse());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** A link target: `href("sensors", name)` → `#/sensors/<name>`. */
export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join("/")}`;
}

/** Sets query parameters of the current route (null removes one). */
export function setParams(route: Route, changes: Record<string, string | null>): void {
  const params = new URLSearchParams(route.params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === "") params.delete(k);
    else params.set(k, v);
  }
  const query = params.toString();
  window.location.hash = `#/${route.parts.map(encodeURIComponent).join("/")}${query === "" ? "" : `?${query}`}`;
}
