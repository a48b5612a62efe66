/**
 * Whether a sensor runs as soon as the daemon sees it (`RUNNING`) or waits to be started
 * (`STOPPED`, the default). A start or stop from the UI or CLI is stored and wins from then on.
 *
 * @example
 * sensor({ name: "my_sensor", job: myJob, defaultStatus: DefaultSensorStatus.RUNNING }, fn);
 * @see docs/sensors.md
 */
export const DefaultSensorStatus = { RUNNING: "RUNNING", STOPPED: "STOPPED" } as const;

export type DefaultSensorStatus = (typeof DefaultSensorStatus)[keyof typeof DefaultSensorStatus];
