import type { ConnectionOptions } from "node:tls";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import {
  DefinitionError,
  runFailureSensor,
  type RunFailureSensorContext,
  type RunStatusSensorDefinition,
} from "../../index.js";
import { failureSensorOptions, type RunFailureAlertOptions } from "../run-failure-alert-options.js";

/**
 * How the sensor talks to the SMTP server:
 * - `"SSL"`: TLS from the first byte (implicit TLS, port 465);
 * - `"STARTTLS"`: plain connection upgraded with STARTTLS, which the server must offer (port 587);
 * - `"PLAIN"`: no TLS at all (port 25), for a relay on a trusted network.
 *
 * @example
 * const smtpType: SmtpType = "STARTTLS";
 */
export type SmtpType = "SSL" | "STARTTLS" | "PLAIN";

/**
 * The supported `smtpType`s with their default ports.
 *
 * @example
 * SMTP_DEFAULT_PORTS.STARTTLS; // 587
 */
export const SMTP_DEFAULT_PORTS: Readonly<Record<SmtpType, number>> = Object.freeze({ SSL: 465, STARTTLS: 587, PLAIN: 25 });

/**
 * Options of `makeEmailOnRunFailureSensor(...)`.
 *
 * @example
 * const options: EmailOnRunFailureSensorOptions = { emailFrom: "vigil@example.com", emailTo: ["ops@example.com"], smtpType: "STARTTLS" };
 * @see docs/integrations/email.md
 */
export interface EmailOnRunFailureSensorOptions extends RunFailureAlertOptions {
  /** The sender address, also the login user unless `smtpUser` is given. */
  emailFrom: string;
  /**
   * The SMTP password (for Gmail, an app password). Without one the sensor does not log in, which
   * suits a relay that trusts the network. It may be `undefined` when the definitions are loaded.
   */
  emailPassword?: string | undefined;
  /** The recipients. */
  emailTo: readonly string[];
  /** @defaultValue `"smtp.gmail.com"` */
  smtpHost?: string;
  /** @defaultValue `465` for SSL, `587` for STARTTLS, `25` for PLAIN */
  smtpPort?: number;
  /** @defaultValue `"SSL"` */
  smtpType?: SmtpType;
  /** The login user. @defaultValue `emailFrom` */
  smtpUser?: string;
  /** TLS options for SSL and STARTTLS, e.g. `{ ca }` to trust a private certificate authority. */
  tls?: ConnectionOptions;
  /** @defaultValue `` `Vigil run failed: ${context.run.jobName}` `` */
  emailSubjectFn?: (context: RunFailureSensorContext) => string | Promise<string>;
  /**
   * The HTML body.
   * @defaultValue the job, the run id, the failure message and, with `webserverBaseUrl`, a link to the run
   */
  emailBodyFn?: (context: RunFailureSensorContext) => string | Promise<string>;
  /** @defaultValue `"email_on_run_failure"` */
  name?: string;
}

/**
 * The default sensor name of `makeEmailOnRunFailureSensor`.
 *
 * @example
 * await instance.getTicks(DEFAULT_EMAIL_SENSOR_NAME); // "email_on_run_failure"
 */
export const DEFAULT_EMAIL_SENSOR_NAME = "email_on_run_failure";

/**
 * The error a failure email fails with; the tick's error carries its message. `smtpCode` is
 * nodemailer's code (`EAUTH`, `ESOCKET`, `ETLS`, `EENVELOPE`…) when it gave one.
 *
 * @example
 * if (error instanceof EmailAlertError && error.smtpCode === "EAUTH") rotatePassword();
 */
export class EmailAlertError extends Error {
  readonly smtpCode: string | undefined;

  constructor(message: string, smtpCode: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EmailAlertError";
    this.smtpCode = smtpCode;
  }
}

const SMTP_TYPES: readonly SmtpType[] = ["SSL", "STARTTLS", "PLAIN"];

/**
 * Defines a run failure sensor that emails each failed run over SMTP (nodemailer). Everything
 * static — `smtpType`, port, addresses — is checked here, so a typo fails when the definitions
 * load rather than at the first failure. Each alert opens its own SMTP connection. A send that
 * fails (bad credentials, unreachable server, a server without STARTTLS for `"STARTTLS"`) fails the
 * tick with the SMTP error; the cursor still moves past that run, so an alert is never retried forever.
 *
 * @example
 * import { makeEmailOnRunFailureSensor } from "vigil/email";
 *
 * export const emailOnRunFailure = makeEmailOnRunFailureSensor({
 *   emailFrom: "no-reply@example.com",
 *   emailPassword: process.env.ALERT_EMAIL_PASSWORD,
 *   emailTo: ["xxx@example.com", "xyz@example.com"],
 *   webserverBaseUrl: "https://vigil.example.com",
 * });
 * @see docs/integrations/email.md
 */
export function makeEmailOnRunFailureSensor(options: EmailOnRunFailureSensorOptions): RunStatusSensorDefinition {
  if (typeof options !== "object" || options === null) {
    throw new DefinitionError(`makeEmailOnRunFailureSensor() needs an options object such as { emailFrom, emailPassword, emailTo: ["ops@example.com"] }.`);
  }
  const name = options.name ?? DEFAULT_EMAIL_SENSOR_NAME;
  const fail = (detail: string): never => {
    throw new DefinitionError(`Sensor "${name}" ${detail}`);
  };
  const { emailFrom, emailPassword, emailTo, smtpHost = "smtp.gmail.com", smtpType = "SSL", tls } = options;
  const { emailSubjectFn = defaultEmailSubject, emailBodyFn, webserverBaseUrl } = options;
  if (!SMTP_TYPES.includes(smtpType)) fail(`has smtpType ${show(smtpType)}, which is not supported; give "SSL", "STARTTLS" or "PLAIN".`);
  if (typeof emailFrom !== "string" || !emailFrom.includes("@")) fail(`has emailFrom ${show(emailFrom)}; give the sender's email address.`);
  if (!Array.isArray(emailTo) || emailTo.length === 0 || !emailTo.every((a) => typeof a === "string" && a.includes("@"))) {
    fail(`has emailTo ${show(emailTo)}; give a non-empty array of email addresses such as ["ops@example.com"].`);
  }
  if (emailPassword !== undefined && typeof emailPassword !== "string") fail(`has emailPassword ${show(emailPassword)}; give a string or leave it out.`);
  if (typeof smtpHost !== "string" || smtpHost.length === 0) fail(`has smtpHost ${show(smtpHost)}; give the SMTP server's host name.`);
  const smtpPort = options.smtpPort ?? SMTP_DEFAULT_PORTS[smtpType];
  if (!Number.isInteger(smtpPort) || smtpPort < 1 || smtpPort > 65535) fail(`has smtpPort ${show(options.smtpPort)}; give a port number from 1 to 65535.`);
  const smtpUser = options.smtpUser ?? emailFrom;
  if (typeof smtpUser !== "string" || smtpUser.length === 0) fail(`has smtpUser ${show(options.smtpUser)}; give the login user, or leave it out to log in as emailFrom.`);
  for (const [option, fn] of [["emailSubjectFn", emailSubjectFn], ["emailBodyFn", emailBodyFn]] as const) {
    if (fn !== undefined && typeof fn !== "function") fail(`has ${option} ${show(fn)}; give a function of the run failure context, or leave it out.`);
  }
  if (webserverBaseUrl !== undefined && (typeof webserverBaseUrl !== "string" || !/^https?:\/\/\S+$/.test(webserverBaseUrl))) {
    fail(`has webserverBaseUrl ${show(webserverBaseUrl)}; give an http(s) URL such as "https://vigil.example.com".`);
  }

  const transportOptions: SMTPTransport.Options = {
    host: smtpHost,
    port: smtpPort,
    // SSL: TLS from the start. STARTTLS: upgrade, and refuse to go on without it. PLAIN: never TLS.
    secure: smtpType === "SSL",
    requireTLS: smtpType === "STARTTLS",
    ignoreTLS: smtpType === "PLAIN",
    ...(emailPassword === undefined || emailPassword === "" ? {} : { auth: { user: smtpUser, pass: emailPassword } }),
    ...(tls === undefined ? {} : { tls }),
    // Fail within a sensor tick's timeout (60 s by default) rather than nodemailer's minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
  const transport = nodemailer.createTransport(transportOptions);
  const where = `${smtpType} smtp://${smtpHost}:${smtpPort}`;

  return runFailureSensor(
    failureSensorOptions(name, options),
    async (context) => {
      const subject = await emailSubjectFn(context);
      const html = emailBodyFn === undefined ? defaultEmailBody(context, webserverBaseUrl) : await emailBodyFn(context);
      try {
        await transport.sendMail({ from: emailFrom, to: [...emailTo], subject, html });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const smtpCode = typeof code === "string" ? code : undefined;
        const message = error instanceof Error ? error.message : String(error);
        throw new EmailAlertError(
          `Emailing the failure of run "${context.run.runId}" through ${where} for sensor "${name}" failed${smtpCode === undefined ? "" : ` with ${smtpCode}`}: ${message}; ${adviceFor(smtpCode)}`,
          smtpCode,
          { cause: error },
        );
      }
      context.log.info(`Emailed the failure of run "${context.run.runId}" (job "${context.run.jobName}") to ${emailTo.join(", ")}.`);
    },
  );
}

/**
 * The default subject: `Vigil run failed: <job>`.
 *
 * @example
 * defaultEmailSubject(context); // "Vigil run failed: nightly_etl"
 */
export function defaultEmailSubject(context: RunFailureSensorContext): string {
  return `Vigil run failed: ${context.run.jobName}`;
}

/**
 * The default HTML body: the job, the run id, the failure message and, with a base URL, a
 * "View in Vigil" link to `{webserverBaseUrl}/runs/{runId}`. Values are HTML-escaped.
 *
 * @example
 * makeEmailOnRunFailureSensor({ ...options, emailBodyFn: (ctx) => `${defaultEmailBody(ctx)}<p>On call: Ada</p>` });
 */
export function defaultEmailBody(context: RunFailureSensorContext, webserverBaseUrl?: string): string {
  const { runId, jobName } = context.run;
  const lines = [
    `<p>Job <b>${escapeHtml(jobName)}</b> failed.</p>`,
    `<p>Run ID: <code>${escapeHtml(runId)}</code></p>`,
    `<p>Error:</p>`,
    `<pre>${escapeHtml(context.failureEvent.message)}</pre>`,
  ];
  if (webserverBaseUrl !== undefined) {
    const url = `${webserverBaseUrl.replace(/\/+$/, "")}/runs/${encodeURIComponent(runId)}`;
    lines.push(`<p><a href="${escapeHtml(url)}">View in Vigil</a></p>`);
  }
  return lines.join("\n");
}

function adviceFor(smtpCode: string | undefined): string {
  switch (smtpCode) {
    case "EAUTH":
      return "check smtpUser and emailPassword (for Gmail, an app password).";
    case "ETLS":
      return 'the server would not start TLS; check smtpType ("SSL" on 465, "STARTTLS" on 587) and the tls options.';
    case "EENVELOPE":
      return "check emailFrom and emailTo.";
    default:
      return "check smtpHost, smtpPort and smtpType.";
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  return value === null ? "null" : typeof value === "object" ? "an object" : String(value);
}
