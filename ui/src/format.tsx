// Small shared pieces: status badges, times, durations, errors.
import type { ReactNode } from "react";

export function Status({ value }: { value: string | null | undefined }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  return <span className={`badge status-${value.toLowerCase()}`}>{value}</span>;
}

export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return new Date(ms).toLocaleString(undefined, { hour12: false });
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** "in 20 s" / "20 s ago". */
export function relative(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return "—";
  const d = ms - now;
  return d >= 0 ? `in ${duration(d)}` : `${duration(-d)} ago`;
}

export function Loading({ error, children }: { error: unknown; children?: ReactNode }) {
  if (error !== null && error !== undefined) return <p className="error" role="alert">{error instanceof Error ? error.message : String(error)}</p>;
  return <>{children ?? <p className="muted">Loading…</p>}</>;
}

export function ErrorStack({ message, stack }: { message: string; stack: string | null }) {
  return (
    <details className="error-stack">
      <summary className="error">{message}</summary>
      <pre>{stack ?? "(no stack)"}</pre>
    </details>
  );
}
