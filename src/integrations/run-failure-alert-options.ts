import type { DefaultSensorStatus, MonitoredJob, RunFailureSensorOptions } from "../index.js";

/** Options every run-failure alert sensor (Slack, email) shares. */
export interface RunFailureAlertOptions {
  /** The jobs whose failures it reports; by default every job of its `Definitions`. */
  monitoredJobs?: readonly MonitoredJob[];
  /** Report the failed runs of every job in the instance. Not together with `monitoredJobs`. */
  monitorAllJobs?: boolean;
  /** @defaultValue `30` */
  minimumIntervalSeconds?: number;
  /** @defaultValue `DefaultSensorStatus.STOPPED` */
  defaultStatus?: DefaultSensorStatus;
  /** The Vigil UI's base URL, e.g. `"https://vigil.example.com"`; the alert then links the run. */
  webserverBaseUrl?: string;
}

/** The options of the underlying `runFailureSensor`, taken from an alert's options (only those set). */
export function failureSensorOptions(name: string, options: RunFailureAlertOptions): RunFailureSensorOptions {
  return {
    name,
    ...(options.monitoredJobs === undefined ? {} : { monitoredJobs: options.monitoredJobs }),
    ...(options.monitorAllJobs === undefined ? {} : { monitorAllJobs: options.monitorAllJobs }),
    ...(options.minimumIntervalSeconds === undefined ? {} : { minimumIntervalSeconds: options.minimumIntervalSeconds }),
    ...(options.defaultStatus === undefined ? {} : { defaultStatus: options.defaultStatus }),
  };
}
