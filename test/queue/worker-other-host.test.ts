// A `vigil worker` on "another machine": its own network namespace (reaching PostgreSQL over a
// veth pair whose addresses this test assigns, and removes afterwards), its own PID namespace and
// its own host name. Its runs execute; when it is killed, the daemon judges its run by heartbeat
// alone — it can see neither its pid nor its host. Traffic goes only to addresses made here.
import { spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance } from "../../src/instance/index.js";
import { RunTag, WorkerTag } from "../../src/model/index.js";
import { eventually, makeProject, type Project } from "../cli/support.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../support/throwaway-postgres.js";
import { kill9, requireNamespaces, startVigil, type VigilProcess } from "../support/vigil-process.js";
import { QUEUE_DEFS } from "./queue-defs.js";

function ip(...args: string[]): void {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`ip ${args.join(" ")}: ${result.stderr}`);
}

/** A network namespace joined to this one by a veth pair, on a /30 of 10.213.x.0 this test picked. */
class OtherHost {
  readonly netns = `vigil-${randomBytes(3).toString("hex")}`;
  readonly hostVeth = `vh${this.netns.slice(6)}`;
  readonly workerVeth = `vw${this.netns.slice(6)}`;
  readonly subnet = `10.213.${randomInt(0, 256)}`;
  readonly hostAddress = `${this.subnet}.1`;
  readonly workerAddress = `${this.subnet}.2`;

  create(): void {
    ip("netns", "add", this.netns);
    ip("link", "add", this.hostVeth, "type", "veth", "peer", "name", this.workerVeth);
    ip("link", "set", this.workerVeth, "netns", this.netns);
    ip("addr", "add", `${this.hostAddress}/30`, "dev", this.hostVeth);
    ip("link", "set", this.hostVeth, "up");
    ip("netns", "exec", this.netns, "ip", "addr", "add", `${this.workerAddress}/30`, "dev", this.workerVeth);
    ip("netns", "exec", this.netns, "ip", "link", "set", this.workerVeth, "up");
    ip("netns", "exec", this.netns, "ip", "link", "set", "lo", "up");
  }

  /** Removes the namespace (and so the pair) and the host side, whatever exists of them. */
  remove(): void {
    spawnSync("ip", ["netns", "del", this.netns]);
    spawnSync("ip", ["link", "del", this.hostVeth]);
  }
}

const namespaces = requireNamespaces("the test of a worker on another host (network, PID and UTS namespaces over a veth pair)");

describe.skipIf(!namespaces)("a worker on another host", () => {
  const other = new OtherHost();
  let server: ThrowawayPostgres;
  let project: Project;
  const started: VigilProcess[] = [];
  const trigger = { path: "" };

  beforeAll(async () => {
    other.create();
    server = await startThrowawayPostgres({ listen: [other.hostAddress], trust: [`${other.subnet}.0/30`] });
    project = makeProject({ "defs.ts": QUEUE_DEFS });
    trigger.path = join(project.dir, "trigger");
    const settings = ["runLauncher: queue", "runMonitoring: { heartbeatTimeoutSeconds: 3 }", "daemon: { leaseSeconds: 4 }"];
    const port = new URL(server.url).port;
    project.write(".vigil/vigil.yaml", [`storage: { postgres: { url: "${server.url}" } }`, ...settings].join("\n"));
    // The worker's own home: the same database, reached at the address of the veth pair.
    project.write(".vigil-remote/vigil.yaml", [`storage: { postgres: { url: "postgres://postgres@${other.hostAddress}:${port}/postgres" } }`, ...settings].join("\n"));
  }, 60_000);

  afterAll(async () => {
    for (const p of started) {
      kill9(p.pid());
      kill9(p.child.pid ?? 0);
      await p.exited;
    }
    project?.remove();
    await server?.stop();
    other.remove();
  });

  it("executes runs on a worker in its own network, PID and UTS namespaces, and fails its run by heartbeat when it dies", { timeout: 180_000 }, async () => {
    const env = { ...project.env, QUEUE_TRIGGER: trigger.path };
    const daemon = startVigil(["daemon", "-f", "defs.ts"], { cwd: project.dir, env });
    started.push(daemon);
    const worker = startVigil(["worker", "-f", "defs.ts"], { cwd: project.dir, env: { ...env, VIGIL_HOME: join(project.dir, ".vigil-remote") }, namespaces: { netns: other.netns, hostname: "remote-worker" } });
    started.push(worker);
    for (const [p, text] of [[daemon, "Vigil daemon running"], [worker, "Vigil worker"]] as const) {
      await eventually(async () => (p.output().includes(text) ? true : undefined), `"${text}" (output: ${p.output()})`, 90_000);
    }
    await using instance = await Instance.open(project.home);
    writeFileSync(trigger.path, ["r1 g", "r2 g", "slow1 g slow_job"].join("\n"));
    const done = await eventually(async () => {
      const runs = await instance.getRuns({ jobName: "work_job", statuses: ["SUCCESS"] });
      return runs.length === 2 ? runs : undefined;
    }, "the two quick runs to succeed", 90_000);
    for (const run of done) {
      expect(run.tags[WorkerTag.WORKER_HOST]).toBe("remote-worker");
      // Its pid inside its own PID namespace: nothing this host could probe.
      expect(run.tags[WorkerTag.WORKER_PID]).toBe("1");
    }
    const slow = await eventually(async () => (await instance.getRuns({ tags: { [RunTag.RUN_KEY]: "slow1" }, statuses: ["STARTED"] }))[0], "the slow run to start", 60_000);
    expect(kill9(worker.pid())).toBe(true);
    const ended = await instance.waitForRun(slow.runId, { timeoutMs: 60_000 });
    expect(ended.status).toBe("FAILURE");
    const [failure] = await instance.getEventRecords({ eventType: "RUN_FAILURE", runIds: [slow.runId] });
    expect(failure?.entry.message).toMatch(
      new RegExp(`^Run "${slow.runId}" of job "slow_job": its worker remote-worker/1/[0-9a-f]+ \\(host remote-worker, pid 1\\) has sent no heartbeat for [0-9.]+ s \\(runMonitoring\\.heartbeatTimeoutSeconds is 3 s\\); the run is marked failed\\.$`),
    );
  });
});
