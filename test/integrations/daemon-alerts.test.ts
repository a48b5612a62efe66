// The failure sensors end to end: a sensor launches a job through the daemon, the job fails, and
// the failure sensor, evaluated by the same daemon, sends exactly one alert to a real local server.
import { describe, expect, it } from "vitest";
import { Daemon, DefaultSensorStatus, Definitions, Instance, ManualClock, RunRequest, sensor, type SensorDefinition } from "vigil";
import { makeEmailOnRunFailureSensor } from "vigil/email";
import { makeSlackOnRunFailureSensor } from "vigil/slack";
import { nightlyEtl } from "./support/failed-run.js";
import { startSlackApiServer } from "./support/slack-api-server.js";
import { startSmtpServer } from "./support/smtp-test-server.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");

/** Requests one run of nightly_etl, once (run key "once"). */
const launchOnce = sensor({ name: "launch_once", job: nightlyEtl, defaultStatus: DefaultSensorStatus.RUNNING }, () => new RunRequest({ runKey: "once" }));

async function daemonWith(alert: SensorDefinition) {
  const instance = await Instance.ephemeral();
  const clock = new ManualClock(T0);
  const definitions = new Definitions({ jobs: [nightlyEtl], sensors: [launchOnce, alert] });
  const daemon = new Daemon({ instance, definitions, clock, log: () => undefined });
  return {
    instance,
    clock,
    daemon,
    /** One iteration, then wait for the runs it launched to finish. */
    async iterate() {
      await daemon.runIteration();
      for (const run of await instance.getRuns({ jobName: "nightly_etl" })) await instance.waitForRun(run.runId, { timeoutMs: 20_000 });
      clock.advance(30_000);
    },
    async [Symbol.asyncDispose]() {
      await daemon.close();
      await instance.close();
    },
  };
}

describe("failure alerts through the daemon", () => {
  it("posts exactly one Slack message for a run that fails under the daemon", async () => {
    await using slack = await startSlackApiServer();
    const alert = makeSlackOnRunFailureSensor({ channel: "#alerts", slackToken: "xoxb-test", slackApiUrl: slack.url, defaultStatus: DefaultSensorStatus.RUNNING, webserverBaseUrl: "http://vigil.test" });
    await using t = await daemonWith(alert);

    for (let i = 0; i < 4; i++) await t.iterate();

    const [run, ...others] = await t.instance.getRuns({ jobName: "nightly_etl" });
    expect([run?.status, others]).toEqual(["FAILURE", []]);
    expect(slack.calls).toHaveLength(1);
    expect(slack.calls[0]!.fields.text).toContain('Op "explodes" failed: the warehouse is on fire');
    expect(slack.calls[0]!.fields.blocks).toContain(`http://vigil.test/runs/${run!.runId}`);
    const ticks = await t.instance.getTicks("slack_on_run_failure");
    expect(ticks.map((x) => x.status).reverse()).toEqual(["SKIPPED", "SUCCESS", "SKIPPED", "SKIPPED"]);
  });

  it("emails exactly one alert for a run that fails under the daemon", async () => {
    await using smtp = await startSmtpServer({ mode: "PLAIN", login: { user: "vigil@example.com", pass: "pw" } });
    const alert = makeEmailOnRunFailureSensor({
      emailFrom: "vigil@example.com",
      emailPassword: "pw",
      emailTo: ["ops@example.com"],
      smtpHost: "127.0.0.1",
      smtpPort: smtp.port,
      smtpType: "PLAIN",
      defaultStatus: DefaultSensorStatus.RUNNING,
    });
    await using t = await daemonWith(alert);

    for (let i = 0; i < 4; i++) await t.iterate();

    const [run] = await t.instance.getRuns({ jobName: "nightly_etl" });
    expect(smtp.mails.map((m) => [m.rcptTo, m.headers.subject])).toEqual([[["ops@example.com"], "Vigil run failed: nightly_etl"]]);
    expect(smtp.mails[0]!.body).toContain(`<code>${run!.runId}</code>`);
    expect(smtp.mails[0]!.body).toContain("the warehouse is on fire");
  });

  it("fails the tick with Slack's error code, and does not post that alert again", async () => {
    await using slack = await startSlackApiServer();
    slack.reply({ body: { ok: false, error: "invalid_auth" } });
    const alert = makeSlackOnRunFailureSensor({ channel: "#alerts", slackToken: "xoxb-revoked", slackApiUrl: slack.url, defaultStatus: DefaultSensorStatus.RUNNING });
    await using t = await daemonWith(alert);

    for (let i = 0; i < 4; i++) await t.iterate();

    const ticks = (await t.instance.getTicks("slack_on_run_failure")).reverse();
    expect(ticks.map((x) => x.status)).toEqual(["SKIPPED", "FAILURE", "SKIPPED", "SKIPPED"]);
    expect(ticks[1]?.error?.message).toContain("failed with invalid_auth; check slackToken.");
    expect(slack.calls).toHaveLength(1);
  });

  it("alerts once for a run that fails while the daemon runs on its own loop", async () => {
    await using slack = await startSlackApiServer();
    const alert = makeSlackOnRunFailureSensor({ channel: "#alerts", slackToken: "xoxb-test", slackApiUrl: slack.url, defaultStatus: DefaultSensorStatus.RUNNING, minimumIntervalSeconds: 0.05 });
    await using instance = await Instance.ephemeral();
    const daemon = new Daemon({ instance, definitions: new Definitions({ jobs: [nightlyEtl], sensors: [alert] }), loopIntervalMs: 20, wakePollMs: 10, log: () => undefined });
    try {
      daemon.start();
      await until(async () => (await instance.getTicks("slack_on_run_failure")).length > 0);
      await nightlyEtl.executeInProcess({ instance, raiseOnError: false });
      await until(async () => slack.calls.length > 0);
      // Let a few more ticks go by: the same failure is not reported again.
      const seen = (await instance.getTicks("slack_on_run_failure")).length;
      await until(async () => (await instance.getTicks("slack_on_run_failure")).length >= seen + 3);
    } finally {
      await daemon.close();
    }
    expect(slack.calls).toHaveLength(1);
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
