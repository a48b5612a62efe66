/** Where commands write: aligned tables and plain lines for people, JSON with `--json`. */

/** A column of a table: its header and how to render a row's cell. */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Colour the cell (only on a TTY). */
  style?: (row: T, text: string) => string;
}

const ANSI = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;

/** A text style name. */
export type Style = keyof typeof ANSI;

/** What the streams a command writes to look like; the real process's by default. */
export interface OutputStreams {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * Writes a command's output: tables and lines on stdout, errors on stderr, JSON with `--json`.
 * Colour only when stdout is a TTY and `NO_COLOR` is unset.
 *
 * @example
 * const out = new Output({ json: false });
 * out.table(runs, [{ header: "RUN ID", value: (r) => r.runId }]);
 */
export class Output {
  readonly json: boolean;
  readonly color: boolean;
  readonly #streams: OutputStreams;

  constructor(options: { json: boolean; streams?: OutputStreams; env?: NodeJS.ProcessEnv }) {
    this.json = options.json;
    this.#streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
    const env = options.env ?? process.env;
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
    this.color = this.#streams.stdout.isTTY === true && !noColor && env.TERM !== "dumb";
  }

  /** One line on stdout (nothing in `--json` mode, where only `data` is printed). */
  line(text = ""): void {
    if (!this.json) this.#streams.stdout.write(`${text}\n`);
  }

  /** Text exactly as given (no newline added) on `stream`, e.g. a run's stored output; nothing in `--json` mode. */
  raw(stream: "stdout" | "stderr", text: string): void {
    if (!this.json) this.#streams[stream].write(text);
  }

  /** A line on stderr: progress and notices that must not mix with JSON on stdout. */
  note(text: string): void {
    this.#streams.stderr.write(`${text}\n`);
  }

  /** An error sentence on stderr, as it is (no prefix: the message names the thing and the fix). */
  error(message: string): void {
    this.#streams.stderr.write(`${message}\n`);
  }

  /** The JSON result of a command (only in `--json` mode). */
  data(value: unknown): void {
    if (this.json) this.#streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** `text` in a style, or unchanged without colour. */
  style(style: Style, text: string): string {
    if (!this.color) return text;
    const [open, close] = ANSI[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** An aligned table with a header row, or `empty` when there are no rows. */
  table<T>(rows: readonly T[], columns: readonly Column<T>[], empty: string): void {
    if (this.json) return;
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    const cells = rows.map((row) => columns.map((c) => c.value(row)));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? "").length)));
    const pad = (text: string, i: number, styled: string) => (i === columns.length - 1 ? styled : styled + " ".repeat((widths[i] ?? 0) - text.length));
    this.line(columns.map((c, i) => pad(c.header, i, this.style("bold", c.header))).join("  "));
    rows.forEach((row, r) => {
      const line = columns.map((c, i) => {
        const text = cells[r]?.[i] ?? "";
        return pad(text, i, c.style === undefined ? text : c.style(row, text));
      });
      this.line(line.join("  ").trimEnd());
    });
  }
}

/** A status word's colour: green for success, red for failure, yellow for in-between states. */
export function statusStyle(status: string): Style | null {
  if (status === "SUCCESS" || status === "RUNNING") return "green";
  if (status === "FAILURE" || status === "CANCELED") return "red";
  if (status === "SKIPPED" || status === "STOPPED") return "dim";
  if (status === "-") return null;
  return "yellow";
}

/** A styled status cell for `Column.style`. */
export function styleStatus(out: Output, text: string): string {
  const style = statusStyle(text);
  return style === null ? text : out.style(style, text);
}

/** A local time as `YYYY-MM-DD HH:MM:SS`, or "-" for null. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "-";
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A duration for people: `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")} s`;
}
