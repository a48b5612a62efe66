// vigil/email: email failed runs over SMTP.
export {
  makeEmailOnRunFailureSensor,
  defaultEmailSubject,
  defaultEmailBody,
  EmailAlertError,
  DEFAULT_EMAIL_SENSOR_NAME,
  SMTP_DEFAULT_PORTS,
  type EmailOnRunFailureSensorOptions,
  type SmtpType,
} from "./make-email-on-run-failure-sensor.js";
export type { RunFailureAlertOptions } from "../run-failure-alert-options.js";
