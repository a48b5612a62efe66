// vigil/slack: report failed runs to a Slack channel.
export {
  makeSlackOnRunFailureSensor,
  defaultSlackText,
  defaultSlackBlocks,
  SlackAlertError,
  DEFAULT_SLACK_SENSOR_NAME,
  SLACK_MAX_RATE_LIMIT_RETRIES,
  SLACK_MAX_RETRY_AFTER_SECONDS,
  type SlackOnRunFailureSensorOptions,
  type SlackBlock,
} from "./make-slack-on-run-failure-sensor.js";
export type { RunFailureAlertOptions } from "../run-failure-alert-options.js";
