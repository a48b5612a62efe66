import type { DefaultSensorStatus, MonitoredJob } from "../index.js";

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
