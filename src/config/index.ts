export { parseConfigValue, joinConfigPath, type ConfigParseResult } from "./config-issues.js";
export { checkRunConfig, type RunConfigShape, type ParsedRunConfig, type RunConfigCheck } from "./run-config-schema.js";
export { ResourceConfigError } from "./resource-config-error.js";
export type { InferConfigInput, InferConfigOutput, ConfigIsOptional } from "./config-types.js";
