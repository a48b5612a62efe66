import "./in-process-execution.js";

export { Instance, type WaitForRunOptions } from "./instance.js";
export type { CompiledInstanceConfig, InstanceConfigInput, StorageConfig } from "./instance-config.js";
