// A daemon process for the crash suite: opens the instance at argv[2], runs one iteration of the
// crash definitions (VIGIL_CRASH_AT may stop it with exit code 86), then closes and exits 0.
import { Daemon } from "../../src/daemon/daemon.js";
import { Instance } from "../../src/instance/index.js";
import definitions from "./crash-defs.js";

const home = process.argv[2];
if (home === undefined) throw new Error("usage: crash-daemon.ts <vigil home>");
const instance = await Instance.open(home);
const daemon = new Daemon({ instance, definitions, log: () => undefined });
await daemon.runIteration();
await daemon.close();
await instance.close();
