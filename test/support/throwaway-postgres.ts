// Starts a throwaway PostgreSQL server the way .ci/run does (see STACK.md), for developer
// machines that have the server binaries but no DATABASE_URL. Returns null-ish by throwing when
// the binaries or the `postgres` user are missing; the caller then skips PostgreSQL tests loudly.
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ThrowawayPostgres {
  url: string;
  /** Stops the server (fast shutdown: connections are cut) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function pgBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(a) - Number(b)) : [];
  const latest = versions.at(-1);
  if (latest === undefined) throw new Error("no PostgreSQL server binaries in /usr/lib/postgresql");
  return join(root, latest, "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts a server on a free port of 127.0.0.1 (and of `listen`, addresses a test assigned itself,
 * e.g. on a veth pair), trusting connections from loopback and from `trust` (CIDRs).
 */
export async function startThrowawayPostgres(options: { listen?: readonly string[]; trust?: readonly string[] } = {}): Promise<ThrowawayPostgres> {
  const bin = pgBin();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "vigil-pg-"));
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { stdio: "pipe" });
  execFileSync("chown", ["postgres:postgres", dir]);
  asPostgres("initdb", ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
  if (options.trust !== undefined && options.trust.length > 0) {
    appendFileSync(join(dir, "pg_hba.conf"), options.trust.map((cidr) => `host all all ${cidr} trust\n`).join(""));
  }
  const listen = ["127.0.0.1", ...(options.listen ?? [])].join(",");
  const serverOptions = `-c listen_addresses=${listen} -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  asPostgres("pg_ctl", ["-D", dir, "-l", join(dir, "log"), "-w", "-t", "30", "-o", serverOptions, "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => {
      asPostgres("pg_ctl", ["-D", dir, "-m", "fast", "-w", "stop"]);
      asPostgres("pg_ctl", ["-D", dir, "-l", join(dir, "log"), "-w", "-t", "30", "-o", serverOptions, "start"]);
    },
    stop: async () => {
      try {
        asPostgres("pg_ctl", ["-D", dir, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
