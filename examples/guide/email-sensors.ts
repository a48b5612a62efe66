// "Job failure sensor" by email: the guide's make_email_on_run_failure_sensor, from vigil/email.
// By default it sends through Gmail over SSL (smtp.gmail.com:465); SMTP_HOST, SMTP_PORT and
// SMTP_TYPE point it at another server.
import { makeEmailOnRunFailureSensor, type SmtpType } from "vigil/email";

const smtpType: SmtpType = process.env.SMTP_TYPE === "STARTTLS" || process.env.SMTP_TYPE === "PLAIN" ? process.env.SMTP_TYPE : "SSL";

export const emailOnRunFailure = makeEmailOnRunFailureSensor({
  emailFrom: "no-reply@example.com",
  emailPassword: process.env.ALERT_EMAIL_PASSWORD,
  emailTo: ["xxx@example.com", "xyz@example.com"],
  smtpHost: process.env.SMTP_HOST ?? "smtp.gmail.com",
  smtpType,
  ...(process.env.SMTP_PORT === undefined ? {} : { smtpPort: Number(process.env.SMTP_PORT) }),
});
