/**
 * What `Definitions` needs to know about a sensor. `SensorDefinition` satisfies it; declared
 * structurally so that `definitions.ts` does not depend on the sensor module.
 */
export interface SensorLike {
  readonly name: string;
  /** The names of the jobs the sensor may launch (empty when it launches none). */
  readonly targetJobNames: readonly string[];
  /** Resource keys the sensor reads; `Definitions.resources` must supply them. */
  readonly requiredResourceKeys?: readonly string[];
}
