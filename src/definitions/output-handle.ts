declare const handleTypes: unique symbol;

/**
 * What calling an op inside a job body returns: a reference to that op's output in the graph.
 * Pass it to another op to make a dependency. `TOutput` is the op's (awaited) output; `TOpsConfig`
 * records, for types only, the run config of the ops that produced it, so `InferRunConfig` can
 * see them.
 */
export class OutputHandle<TOutput = unknown, TOpsConfig = unknown> {
  /** @internal Types only: never set at runtime. */
  declare readonly [handleTypes]: { readonly output: TOutput; readonly opsConfig: TOpsConfig };
  /** The node's name in its job (the op's name, or its alias such as `extract_2`). */
  readonly nodeName: string;
  /** The name of the job whose body created it. */
  readonly jobName: string;
  /** @internal Which graph builder created it, to reject handles from another job. */
  readonly builderId: number;

  /** @internal */
  constructor(nodeName: string, jobName: string, builderId: number) {
    this.nodeName = nodeName;
    this.jobName = jobName;
    this.builderId = builderId;
    Object.freeze(this);
  }
}
