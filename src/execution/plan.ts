import type { JobNode } from "../definitions/graph.js";
import type { AnyJobDefinition } from "../definitions/job.js";
import { InvariantError } from "../errors/index.js";

/** One step of a plan: an op node and the steps whose outputs it waits for. */
export interface ExecutionStep {
  /** The step key: the node's name in the job. */
  readonly key: string;
  readonly node: JobNode;
  /** Step keys feeding this step's inputs, in input order (a key may repeat). */
  readonly upstream: readonly string[];
}

/** A job's steps in a topological order: every step comes after the steps it depends on. */
export interface ExecutionPlan {
  readonly jobName: string;
  readonly steps: readonly ExecutionStep[];
}

/**
 * Orders a job's ops so that each comes after its inputs' producers. The order is only a valid
 * start order: the executor starts a step as soon as its inputs are ready, so independent ops run
 * concurrently.
 *
 * @example
 * buildExecutionPlan(etl).steps.map((s) => s.key); // ["extract", "total"]
 */
export function buildExecutionPlan(job: AnyJobDefinition): ExecutionPlan {
  const byKey = new Map(job.nodes.map((n) => [n.name, n]));
  const remaining = new Map(job.nodes.map((n) => [n.name, new Set(n.inputs)]));
  const steps: ExecutionStep[] = [];
  // Kahn's algorithm, scanning in body order so the plan is stable and readable.
  while (remaining.size > 0) {
    const ready = [...remaining.entries()].filter(([, deps]) => deps.size === 0).map(([key]) => key);
    if (ready.length === 0) {
      throw new InvariantError(`Job "${job.name}" has a dependency cycle among ops ${[...remaining.keys()].join(", ")}.`);
    }
    for (const key of ready) {
      const node = byKey.get(key);
      if (node === undefined) throw new InvariantError(`Job "${job.name}" has no op "${key}".`);
      remaining.delete(key);
      for (const deps of remaining.values()) deps.delete(key);
      steps.push(Object.freeze({ key, node, upstream: node.inputs }));
    }
  }
  return Object.freeze({ jobName: job.name, steps: Object.freeze(steps) });
}
