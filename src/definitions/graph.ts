import { DefinitionError, InvalidArgumentError } from "../errors/index.js";
import type { AnyOpDefinition } from "./op.js";
import { OutputHandle } from "./output-handle.js";

/** One op in a job's graph. `inputs` are the names of the nodes whose outputs feed it, in order. */
export interface JobNode {
  /** Unique in the job: the op's name, or `name_2`, `name_3` for further calls of the same op. */
  readonly name: string;
  readonly op: AnyOpDefinition;
  readonly inputs: readonly string[];
}

let nextBuilderId = 1;
/** The graph being built by the job body that is running now; null outside any job body. */
let current: GraphBuilder | null = null;

/** @internal Collects the nodes a job body creates by calling ops. */
export class GraphBuilder {
  readonly id = nextBuilderId++;
  readonly jobName: string;
  readonly nodes: JobNode[] = [];
  private readonly callsPerOp = new Map<string, number>();

  constructor(jobName: string) {
    this.jobName = jobName;
  }

  addNode(op: AnyOpDefinition, args: readonly unknown[]): OutputHandle {
    const inputs = args.map((arg, index) => {
      if (arg instanceof OutputHandle && arg.builderId === this.id) return arg.nodeName;
      throw new InvalidArgumentError(
        `Op "${op.name}" in job "${this.jobName}" got ${describeArgument(arg)} as input ${index + 1}; pass only values returned by calling other ops inside the same job body.`,
      );
    });
    const calls = (this.callsPerOp.get(op.name) ?? 0) + 1;
    this.callsPerOp.set(op.name, calls);
    // Dagster's aliasing: the second call of `op` is `op_2`, the third `op_3`.
    const name = calls === 1 ? op.name : `${op.name}_${calls}`;
    if (this.nodes.some((n) => n.name === name)) {
      throw new DefinitionError(`Job "${this.jobName}" has two ops named "${name}" (an op's alias collides with another op's name); rename one of them.`);
    }
    this.nodes.push(Object.freeze({ name, op, inputs: Object.freeze(inputs) }));
    return new OutputHandle(name, this.jobName, this.id);
  }
}

function describeArgument(arg: unknown): string {
  if (arg instanceof OutputHandle) return `the output of op "${arg.nodeName}" from job "${arg.jobName}"`;
  if (arg === null) return "null";
  if (Array.isArray(arg)) return "an array";
  return `a ${typeof arg}`;
}

/** @internal The graph builder of the job body now running, or null. */
export function currentGraphBuilder(): GraphBuilder | null {
  return current;
}

/**
 * @internal Runs a job body with a fresh graph builder and returns the nodes it created. Job bodies
 * cannot nest, and must be synchronous: an op called after an `await` would land outside the body.
 */
export function buildGraph(jobName: string, body: () => unknown): { nodes: readonly JobNode[]; result: unknown } {
  if (current !== null) {
    throw new DefinitionError(`Job "${jobName}" was defined inside the body of job "${current.jobName}"; define jobs at module level, not inside another job's body.`);
  }
  const builder = new GraphBuilder(jobName);
  current = builder;
  let result: unknown;
  try {
    result = body();
  } finally {
    current = null;
  }
  if (result instanceof Promise) {
    throw new DefinitionError(`The body of job "${jobName}" returned a promise; a job body must be synchronous (it only wires ops together), so remove "async" from it.`);
  }
  return { nodes: Object.freeze([...builder.nodes]), result };
}
