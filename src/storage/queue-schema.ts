/**
 * The PostgreSQL schema graphile-worker keeps the work queue in, for a Vigil schema: its default
 * `graphile_worker` beside `public`, else `<schema>_graphile_worker`, so instances in separate
 * schemas of one database have separate queues. Daemons (which enqueue) and workers (which take)
 * must agree on it; both derive it here.
 */
export function queueSchemaFor(vigilSchema: string): string {
  return vigilSchema === "public" ? "graphile_worker" : `${vigilSchema}_graphile_worker`;
}

/** The graphile-worker task identifier of a Vigil work queue. */
export function queueTaskFor(queueName: string): string {
  return `vigil_run:${queueName}`;
}

/** One job to enqueue: a claimed run, for the work queue's task. */
export interface QueueJob {
  runId: string;
  task: string;
}
