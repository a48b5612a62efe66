// One daemon per SQLite instance: a second `vigil daemon` on the same home is refused at once,
// naming the running one; with --standby it waits, and takes the sensors over when the first dies.
import { afterEach, describe, expect, it } from "vitest";
import { Instance } from "../../src/instance/index.js";
import { eventually, makeProject, type Project } from "../cli/support.js";
import { kill9, startVigil, type VigilProcess } from "../support/vigil-process.js";

const DEFS = `import { DefaultSensorStatus, Definitions, SkipReason, job, op, sensor } from "vigil";
const noop = op({ name: "noop" }, () => 1);
export const noopJob = job({ name: "noop_job" }, () => { noop(); });
const ticking = sensor({ name: "ticking", job: noopJob, minimumIntervalSeconds: 1, defaultStatus: DefaultSensorStatus.RUNNING }, () => new SkipReason("idle"));
export default new Definitions({ jobs: [noopJob], sensors: [ticking] });
`;

let project: Project | undefined;
const started: VigilProcess[] = [];

function daemon(args: string[] = []): VigilProcess {
  const p = startVigil(["daemon", "-f", "defs.ts", ...args], { cwd: project?.dir ?? ".", env: project?.env ?? {} });
  started.push(p);
  return p;
}

async function running(p: VigilProcess): Promise<void> {
  await eventually(async () => (p.output().includes("Vigil daemon running") ? true : undefined), `a daemon to run (output: ${p.output()})`, 60_000);
}

afterEach(async () => {
  for (const p of started.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) kill9(p.pid());
    await p.exited;
  }
  project?.remove();
});

describe("one daemon per SQLite instance", () => {
  it("refuses a second daemon at once, naming the one that serves the instance", { timeout: 120_000 }, async () => {
    project = makeProject({ "defs.ts": DEFS });
    const first = daemon();
    await running(first);
    const second = daemon();
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(
      new RegExp(`Another Vigil daemon already serves this SQLite instance: daemon [^ ]+/${first.pid()}/[0-9a-f]+ on host [^ ]+, pid ${first.pid()}, running since \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z; stop it first, or start this one with --standby to take over when it stops`),
    );
    await using instance = await Instance.open(project.home);
    const { processes } = await instance.storage.getProcesses({ kinds: ["daemon"], aliveOnly: true });
    expect(processes.map((p) => p.pid)).toEqual([first.pid()]);
  });

  it("keeps a --standby daemon waiting, and lets it take the sensors over once the first is killed", { timeout: 120_000 }, async () => {
    project = makeProject({ "defs.ts": DEFS });
    const first = daemon();
    await running(first);
    const standby = daemon(["--standby"]);
    await eventually(async () => (standby.output().includes("Standby:") ? true : undefined), `the standby to wait (output: ${standby.output()})`, 60_000);
    expect(standby.output()).not.toContain("Vigil daemon running");
    kill9(first.pid());
    await first.exited;
    await running(standby);
    await using instance = await Instance.open(project.home);
    const lease = (await instance.storage.getLeases()).find((l) => l.name === "ticking");
    expect(lease?.owner).toMatch(new RegExp(`/${standby.pid()}/`));
    expect(lease?.token).toBe(2);
    const before = (await instance.getTicks("ticking", { limit: 1 }))[0]?.id ?? 0;
    await eventually(async () => (((await instance.getTicks("ticking", { limit: 1 }))[0]?.id ?? 0) > before ? true : undefined), "the standby to tick the sensor");
  });
});
