import { DefinitionError, NotFoundError } from "../errors/index.js";
import { assertValidName } from "./definition-name.js";
import type { AnyJobDefinition } from "./job.js";
import { planResources, toResourceDefinitions, type ResourceDefinition, type ResourceLike } from "./resource.js";
import type { SensorLike } from "./sensor-like.js";

/** Options of `new Definitions(...)`. */
export interface DefinitionsOptions<TJob extends AnyJobDefinition = AnyJobDefinition, TSensor extends SensorLike = SensorLike> {
  jobs?: readonly TJob[];
  sensors?: readonly TSensor[];
  /** Resources for every job and sensor (a job's own resources win for its runs). */
  resources?: Readonly<Record<string, ResourceLike>>;
  /** @defaultValue "__repository__" */
  name?: string;
}

const DEFAULT_NAME = "__repository__";

/**
 * Everything a code location offers: its jobs, sensors and shared resources. The constructor
 * checks that names are unique, that sensors target jobs it holds, and that every required
 * resource is supplied.
 *
 * @example
 * export default new Definitions({ jobs: [etl], sensors: [newFiles], resources: { db: dbResource } });
 */
export class Definitions<TJob extends AnyJobDefinition = AnyJobDefinition, TSensor extends SensorLike = SensorLike> {
  readonly name: string;
  readonly jobs: readonly TJob[];
  readonly sensors: readonly TSensor[];
  readonly resources: Readonly<Record<string, ResourceDefinition>>;
  private readonly jobsByName: ReadonlyMap<string, TJob>;
  private readonly sensorsByName: ReadonlyMap<string, TSensor>;

  constructor(options: DefinitionsOptions<TJob, TSensor> = {}) {
    this.name = options.name ?? DEFAULT_NAME;
    if (this.name !== DEFAULT_NAME) assertValidName("Definitions", this.name);
    this.jobs = Object.freeze([...(options.jobs ?? [])]);
    this.sensors = Object.freeze([...(options.sensors ?? [])]);
    this.resources = Object.freeze(toResourceDefinitions(options.resources ?? {}));
    planResources(this.resources);
    this.jobsByName = indexByName("job", this.jobs);
    this.sensorsByName = indexByName("sensor", this.sensors);
    this.checkSensorTargets();
    this.checkRequiredResources();
    Object.freeze(this);
  }

  /** The job named `name`; throws `NotFoundError` listing the known jobs. */
  getJob(name: string): TJob {
    const found = this.jobsByName.get(name);
    if (found === undefined) {
      throw new NotFoundError("job", name, `Job "${name}" is not in Definitions "${this.name}"; known jobs: ${listOrNone([...this.jobsByName.keys()])}.`);
    }
    return found;
  }

  /** The sensor named `name`; throws `NotFoundError` listing the known sensors. */
  getSensor(name: string): TSensor {
    const found = this.sensorsByName.get(name);
    if (found === undefined) {
      throw new NotFoundError("sensor", name, `Sensor "${name}" is not in Definitions "${this.name}"; known sensors: ${listOrNone([...this.sensorsByName.keys()])}.`);
    }
    return found;
  }

  private checkSensorTargets(): void {
    for (const sensor of this.sensors) {
      for (const jobName of sensor.targetJobNames) {
        if (!this.jobsByName.has(jobName)) {
          throw new DefinitionError(`Sensor "${sensor.name}" targets job "${jobName}", which is not in Definitions.jobs; add it or fix the name.`);
        }
      }
    }
  }

  private checkRequiredResources(): void {
    for (const job of this.jobs) {
      for (const node of job.nodes) {
        for (const key of node.op.requiredResourceKeys) {
          if (!(key in job.resources) && !(key in this.resources)) {
            throw new DefinitionError(
              `Op "${node.name}" in job "${job.name}" requires resource "${key}", which neither the job nor Definitions.resources supplies; add "${key}" to one of them.`,
            );
          }
        }
      }
      // A job's own resources may depend on shared ones: check the merged graph once per job.
      planResources({ ...this.resources, ...job.resources });
    }
    for (const sensor of this.sensors) {
      for (const key of sensor.requiredResourceKeys ?? []) {
        if (!(key in this.resources)) {
          throw new DefinitionError(`Sensor "${sensor.name}" requires resource "${key}", which is not in Definitions.resources; add it.`);
        }
      }
    }
  }
}

function indexByName<T extends { readonly name: string }>(kind: "job" | "sensor", items: readonly T[]): ReadonlyMap<string, T> {
  const byName = new Map<string, T>();
  items.forEach((item, index) => {
    if (typeof item !== "object" || item === null || typeof item.name !== "string") {
      throw new DefinitionError(`Definitions.${kind}s[${index}] is not a ${kind} definition; pass values made by ${kind}(...).`);
    }
    const earlier = byName.get(item.name);
    if (earlier !== undefined) {
      const first = items.indexOf(earlier);
      throw new DefinitionError(
        `Definitions.${kind}s has two ${kind}s named "${item.name}" (at index ${first} and ${index}); give each ${kind} a unique name.`,
      );
    }
    byName.set(item.name, item);
  });
  return byName;
}

function listOrNone(names: readonly string[]): string {
  return names.length > 0 ? names.join(", ") : "(none)";
}
