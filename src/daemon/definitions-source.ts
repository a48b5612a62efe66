import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Definitions } from "../definitions/definitions.js";
import { toError } from "../errors/index.js";
import { loadDefinitionsModule } from "../launchers/definitions-module.js";
import type { DaemonLogger } from "./run-tick.js";

/**
 * @internal
 * The daemon's definitions: a `Definitions` object as given, or a module loaded with
 * `loadDefinitionsModule` and loaded again whenever its file's modification time changes (checked
 * at every `get()`) or `reload()` is called. A version that fails to load is reported once (per
 * change of the file) and the last good version stays in use; only a first load that fails throws.
 */
export class DefinitionsSource {
  /** The absolute module path, or null for a definitions object. */
  readonly modulePath: string | null;
  readonly #log: DaemonLogger;
  #current: Definitions | null;
  /** Incremented at every successful load after the first: the daemon rebuilds what depends on the code. */
  #version = 0;
  /** Modification time of the file version last tried (loaded or not). */
  #seenMtime: number | null = null;

  constructor(definitions: Definitions | string, log: DaemonLogger) {
    this.#log = log;
    if (typeof definitions === "string") {
      this.modulePath = resolve(definitions);
      this.#current = null;
    } else {
      this.modulePath = null;
      this.#current = definitions;
    }
  }

  /** How many times the definitions were replaced by a reload. */
  get version(): number {
    return this.#version;
  }

  /**
   * The definitions to use now: loads the module the first time (rejecting with its
   * `DefinitionError` when it fails), and again when the file changed since the version last tried.
   */
  async get(): Promise<Definitions> {
    if (this.#current === null || this.modulePath === null) return this.#current ?? (await this.#loadFirst());
    const mtime = mtimeOf(this.modulePath);
    if (mtime !== this.#seenMtime) await this.reload();
    return this.#current;
  }

  /**
   * Loads the module again now. Resolves true when the new version replaced the old one; false
   * (after logging the error) when it failed to load and the last good version stays in use.
   */
  async reload(): Promise<boolean> {
    if (this.modulePath === null) return false;
    this.#seenMtime = mtimeOf(this.modulePath);
    try {
      const loaded = await loadDefinitionsModule(this.modulePath);
      const first = this.#current === null;
      this.#current = loaded;
      if (!first) {
        this.#version += 1;
        this.#log("info", `Reloaded the definitions from "${this.modulePath}".`);
      }
      return true;
    } catch (error) {
      if (this.#current === null) throw error;
      this.#log("error", `${toError(error).message} (the daemon keeps using the version it loaded before)`);
      return false;
    }
  }

  async #loadFirst(): Promise<Definitions> {
    await this.reload();
    if (this.#current === null) throw new Error(`The definitions module "${String(this.modulePath)}" did not load.`);
    return this.#current;
  }
}

/** The file's modification time in ms, or -1 when it cannot be read (deleted, renamed). */
function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}
