import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance, buildRunStatusSensorContext } from "vigil";
import { startSmtpServer, type SmtpTestServer } from "../../test/integrations/support/smtp-test-server.js";
import { myJobFails } from "./testing-run-status-sensors.js";

let smtp: SmtpTestServer;
let sensors: typeof import("./email-sensors.js");
beforeAll(async () => {
  smtp = await startSmtpServer({ mode: "PLAIN", login: { user: "no-reply@example.com", pass: "app-password" } });
  Object.assign(process.env, { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port), SMTP_TYPE: "PLAIN", ALERT_EMAIL_PASSWORD: "app-password" });
  // The module reads the environment when it is loaded, as a definitions file does.
  sensors = await import("./email-sensors.js");
});
afterAll(async () => {
  for (const name of ["SMTP_HOST", "SMTP_PORT", "SMTP_TYPE", "ALERT_EMAIL_PASSWORD"]) delete process.env[name];
  await smtp.close();
});

describe("guide: email on run failure", () => {
  it("emails both recipients about the failed run", async () => {
    await using instance = await Instance.ephemeral();
    const result = await myJobFails.executeInProcess({ instance, raiseOnError: false });
    const context = buildRunStatusSensorContext({ sensorName: "email_on_run_failure", instance, run: result.run, event: result.getJobFailureEvent() }).forRunFailure();

    await sensors.emailOnRunFailure.evaluate(context);

    expect(sensors.emailOnRunFailure.name).toBe("email_on_run_failure");
    expect(smtp.mails.map((m) => [m.user, m.mailFrom, m.rcptTo, m.headers.subject])).toEqual([
      ["no-reply@example.com", "no-reply@example.com", ["xxx@example.com", "xyz@example.com"], "Vigil run failed: my_job_fails"],
    ]);
    expect(smtp.mails[0]!.body).toContain(result.runId);
    expect(smtp.mails[0]!.body).toContain("failure!");
  });
});
