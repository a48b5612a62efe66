// Starts a throwaway PostgreSQL server the way .ci/run does (see STACK.md), for developer
// machines that have the server binaries but no DATABASE_URL. Returns null-ish by throwing when
// the binaries or the `postgres` user are missing; the caller then skips PostgreSQL tests loudly.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
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

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = pgBin();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "vigil-pg-"));
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { stdio: "pipe" });
  execFileSync("chown", ["postgres:postgres", dir]);
  asPostgres("initdb", ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  asPostgres("pg_ctl", ["-D", dir, "-l", join(dir, "log"), "-w", "-t", "30", "-o", options, "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => {
      asPostgres("pg_ctl", ["-D", dir, "-m", "fast", "-w", "stop"]);
      asPostgres("pg_ctl", ["-D", dir, "-l", join(dir, "log"), "-w", "-t", "30", "-o", options, "start"]);
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
