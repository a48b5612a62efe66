export { executeRun, type ExecuteRunOptions, type RunOutcome, type RunFailure } from "./execute-job.js";
export { executeJobInProcess, type ExecuteJobInProcessOptions } from "./execute-in-process.js";
export { buildExecutionPlan, type ExecutionPlan, type ExecutionStep } from "./plan.js";
