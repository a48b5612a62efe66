import { beforeAll, describe, expect, it } from "vitest";
import { DefaultSensorStatus } from "vigil";
import { EmailAlertError, makeEmailOnRunFailureSensor, type EmailOnRunFailureSensorOptions } from "vigil/email";
import { failRun } from "./support/failed-run.js";
import { selfSignedCertificate, startSmtpServer, type SelfSignedCertificate } from "./support/smtp-test-server.js";

const base = { emailFrom: "vigil@example.com", emailTo: ["ops@example.com", "oncall@example.com"], smtpHost: "127.0.0.1" } satisfies Partial<EmailOnRunFailureSensorOptions>;

let certificate: SelfSignedCertificate;
beforeAll(() => {
  certificate = selfSignedCertificate();
});

describe("makeEmailOnRunFailureSensor over PLAIN", () => {
  it("logs in with the password and sends the default subject and body", async () => {
    await using smtp = await startSmtpServer({ mode: "PLAIN", login: { user: "vigil@example.com", pass: "s3cret" } });
    await using failed = await failRun("email_on_run_failure");
    const sensor = makeEmailOnRunFailureSensor({ ...base, emailPassword: "s3cret", smtpType: "PLAIN", smtpPort: smtp.port, webserverBaseUrl: "http://localhost:3000" });

    await sensor.evaluate(failed.context);

    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect([mail!.mailFrom, mail!.rcptTo, mail!.user, mail!.secure]).toEqual(["vigil@example.com", ["ops@example.com", "oncall@example.com"], "vigil@example.com", false]);
    expect(mail!.headers.from).toBe("vigil@example.com");
    expect(mail!.headers.to).toBe("ops@example.com, oncall@example.com");
    expect(mail!.headers.subject).toBe("Vigil run failed: nightly_etl");
    expect(mail!.headers["content-type"]).toContain("text/html");
    expect(mail!.body).toContain("<p>Job <b>nightly_etl</b> failed.</p>");
    expect(mail!.body).toContain(`<p>Run ID: <code>${failed.runId}</code></p>`);
    expect(mail!.body).toContain("<pre>Execution of run for &quot;nightly_etl&quot; failed. Op &quot;explodes&quot; failed: the warehouse is on fire</pre>");
    expect(mail!.body).toContain(`<a href="http://localhost:3000/runs/${failed.runId}">View in Vigil</a>`);
  });

  it("does not log in without a password", async () => {
    await using smtp = await startSmtpServer({ mode: "PLAIN" });
    await using failed = await failRun("email_on_run_failure");
    const sensor = makeEmailOnRunFailureSensor({ ...base, smtpType: "PLAIN", smtpPort: smtp.port });

    await sensor.evaluate(failed.context);

    expect(smtp.mails.map((m) => [m.user, m.headers.subject])).toEqual([[undefined, "Vigil run failed: nightly_etl"]]);
    expect(smtp.mails[0]!.body).not.toContain("View in Vigil");
  });

  it("logs in as smtpUser and sends what the subject and body functions return", async () => {
    await using smtp = await startSmtpServer({ mode: "PLAIN", login: { user: "relay-user", pass: "pw" } });
    await using failed = await failRun("custom_email");
    const sensor = makeEmailOnRunFailureSensor({
      ...base,
      name: "custom_email",
      smtpUser: "relay-user",
      emailPassword: "pw",
      smtpType: "PLAIN",
      smtpPort: smtp.port,
      emailSubjectFn: (ctx) => `[etl] ${ctx.run.jobName} is down`,
      emailBodyFn: async (ctx) => `<h1>${ctx.run.runId}</h1>`,
    });

    await sensor.evaluate(failed.context);

    expect([smtp.mails[0]!.user, smtp.mails[0]!.headers.subject, smtp.mails[0]!.body.trim()]).toEqual(["relay-user", "[etl] nightly_etl is down", `<h1>${failed.runId}</h1>`]);
  });

  it("fails with EAUTH when the server refuses the password", async () => {
    await using smtp = await startSmtpServer({ mode: "PLAIN", login: { user: "vigil@example.com", pass: "right" } });
    await using failed = await failRun("email_on_run_failure");
    const sensor = makeEmailOnRunFailureSensor({ ...base, emailPassword: "wrong", smtpType: "PLAIN", smtpPort: smtp.port });

    const error = await sensor.evaluate(failed.context).then(
      () => null,
      (e: unknown) => e as Error,
    );

    expect(error?.message).toContain(`Emailing the failure of run "${failed.runId}" through PLAIN smtp://127.0.0.1:${smtp.port} for sensor "email_on_run_failure" failed with EAUTH`);
    expect(error?.message).toContain("check smtpUser and emailPassword (for Gmail, an app password).");
    expect((error?.cause as EmailAlertError).smtpCode).toBe("EAUTH");
    expect(smtp.mails).toEqual([]);
  });
});

describe("makeEmailOnRunFailureSensor over TLS", () => {
  it("upgrades with STARTTLS, verifying the server's certificate, then logs in", async () => {
    await using smtp = await startSmtpServer({ mode: "STARTTLS", certificate, login: { user: "vigil@example.com", pass: "s3cret" } });
    await using failed = await failRun("email_on_run_failure");
    const sensor = makeEmailOnRunFailureSensor({ ...base, emailPassword: "s3cret", smtpType: "STARTTLS", smtpPort: smtp.port, tls: { ca: certificate.cert } });

    await sensor.evaluate(failed.context);

    expect(smtp.mails.map((m) => [m.secure, m.user, m.headers.subject])).toEqual([[true, "vigil@example.com", "Vigil run failed: nightly_etl"]]);
  });

  it("refuses a STARTTLS server whose certificate it does not trust", async () => {
    await using smtp = await startSmtpServer({ mode: "STARTTLS", certificate, login: { user: "vigil@example.com", pass: "s3cret" } });
    await using failed = await failRun("email_on_run_failure");
    const sensor = makeEmailOnRunFailureSensor({ ...base, emailPassword: "s3cret", smtpType: "STARTTLS", smtpPort: smtp.port });

    await expect(sensor.evaluate(failed.context)).rejects.toThrow(/self[- ]signed certificate/);
    expect(smtp.mails).toEqual([]);
  });

  it("refuses to send in clear when STARTTLS is asked for but not offered", async () => {
    await using smtp = await startSmtpServer({ mode: "PLAIN" });
    await using failed = await failRun("email_on_run_failure");
    const sensor = makeEmailOnRunFailureSensor({ ...base, emailPassword: "s3cret", smtpType: "STARTTLS", smtpPort: smtp.port });

    await expect(sensor.evaluate(failed.context)).rejects.toThrow(`through STARTTLS smtp://127.0.0.1:${smtp.port} for sensor "email_on_run_failure" failed`);
    expect(smtp.mails).toEqual([]);
  });

  it("speaks TLS from the first byte with SSL", async () => {
    await using smtp = await startSmtpServer({ mode: "SSL", certificate, login: { user: "vigil@example.com", pass: "s3cret" } });
    await using failed = await failRun("email_on_run_failure");
    const sensor = makeEmailOnRunFailureSensor({ ...base, emailPassword: "s3cret", smtpType: "SSL", smtpPort: smtp.port, tls: { ca: certificate.cert } });

    await sensor.evaluate(failed.context);

    expect(smtp.mails.map((m) => [m.secure, m.user, m.rcptTo])).toEqual([[true, "vigil@example.com", ["ops@example.com", "oncall@example.com"]]]);
  });
});

describe("makeEmailOnRunFailureSensor definition", () => {
  it("rejects an unsupported smtpType when it is defined, not when it sends", () => {
    expect(() => makeEmailOnRunFailureSensor({ ...base, smtpType: "TLS" as "SSL" })).toThrow(
      'Sensor "email_on_run_failure" has smtpType "TLS", which is not supported; give "SSL", "STARTTLS" or "PLAIN".',
    );
  });

  it("rejects empty recipients and a bad port", () => {
    expect(() => makeEmailOnRunFailureSensor({ ...base, emailTo: [] })).toThrow(
      'Sensor "email_on_run_failure" has emailTo []; give a non-empty array of email addresses such as ["ops@example.com"].',
    );
    expect(() => makeEmailOnRunFailureSensor({ ...base, smtpPort: 0 })).toThrow('Sensor "email_on_run_failure" has smtpPort 0; give a port number from 1 to 65535.');
  });

  it("names itself email_on_run_failure and passes the sensor options on", () => {
    const sensor = makeEmailOnRunFailureSensor({ ...base, monitoredJobs: ["nightly_etl"], minimumIntervalSeconds: 5, defaultStatus: DefaultSensorStatus.RUNNING });
    expect([sensor.name, sensor.monitoredJobNames, sensor.minimumIntervalSeconds, sensor.defaultStatus]).toEqual(["email_on_run_failure", ["nightly_etl"], 5, "RUNNING"]);
  });
});
