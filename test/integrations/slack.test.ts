import { describe, expect, it } from "vitest";
import { DefaultSensorStatus, type RunFailureSensorContext } from "vigil";
import { SlackAlertError, makeSlackOnRunFailureSensor, type SlackBlock } from "vigil/slack";
import { failRun } from "./support/failed-run.js";
import { startSlackApiServer } from "./support/slack-api-server.js";

const TOKEN = "xoxb-test-token";

function blocksOf(fields: Record<string, string>): unknown[] {
  return JSON.parse(fields.blocks ?? "[]") as unknown[];
}

describe("makeSlackOnRunFailureSensor", () => {
  it("posts the failure to the channel with the default text and blocks", async () => {
    await using slack = await startSlackApiServer();
    await using failed = await failRun("slack_on_run_failure");
    const sensor = makeSlackOnRunFailureSensor({ channel: "#alerts", slackToken: TOKEN, slackApiUrl: slack.url });

    await sensor.evaluate(failed.context);

    expect(slack.calls).toHaveLength(1);
    const [call] = slack.calls;
    expect(call!.method).toBe("chat.postMessage");
    expect(call!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call!.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    expect(call!.fields.channel).toBe("#alerts");
    expect(call!.fields.text).toBe(`Error: \`\`\`${failed.failureMessage}\`\`\``);
    expect(call!.fields.text).toContain("the warehouse is on fire");
    expect(blocksOf(call!.fields)).toEqual([
      { type: "section", text: { type: "mrkdwn", text: `*Job "nightly_etl" failed.* Run \`${failed.runId}\`` } },
      { type: "section", text: { type: "mrkdwn", text: call!.fields.text } },
    ]);
  });

  it("adds a View in Vigil button linking the run when given a base URL", async () => {
    await using slack = await startSlackApiServer();
    await using failed = await failRun("slack_on_run_failure");
    const sensor = makeSlackOnRunFailureSensor({
      channel: "C0123",
      slackToken: TOKEN,
      slackApiUrl: slack.url,
      webserverBaseUrl: "https://vigil.example.com/",
    });

    await sensor.evaluate(failed.context);

    expect(blocksOf(slack.calls[0]!.fields).at(-1)).toEqual({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "View in Vigil" }, url: `https://vigil.example.com/runs/${failed.runId}` }],
    });
  });

  it("sends the text and blocks its functions return", async () => {
    await using slack = await startSlackApiServer();
    await using failed = await failRun("custom_slack");
    const blocks: SlackBlock[] = [{ type: "divider" }];
    const sensor = makeSlackOnRunFailureSensor({
      name: "custom_slack",
      channel: "#alerts",
      slackToken: TOKEN,
      slackApiUrl: slack.url,
      textFn: (ctx: RunFailureSensorContext) => `${ctx.run.jobName} broke`,
      blocksFn: async () => blocks,
    });

    await sensor.evaluate(failed.context);

    expect(slack.calls[0]!.fields.text).toBe("nightly_etl broke");
    expect(blocksOf(slack.calls[0]!.fields)).toEqual(blocks);
  });

  it("fails with Slack's error code when Slack rejects the token", async () => {
    await using slack = await startSlackApiServer();
    await using failed = await failRun("slack_on_run_failure");
    slack.reply({ body: { ok: false, error: "invalid_auth" } });
    const sensor = makeSlackOnRunFailureSensor({ channel: "#alerts", slackToken: "xoxb-bad", slackApiUrl: slack.url });

    const error = await sensor.evaluate(failed.context).then(
      () => null,
      (e: unknown) => e as Error,
    );

    expect(error?.message).toContain(
      `Posting the failure of run "${failed.runId}" to Slack for sensor "slack_on_run_failure" failed with invalid_auth; check slackToken.`,
    );
    expect((error?.cause as SlackAlertError).slackError).toBe("invalid_auth");
    expect(slack.calls).toHaveLength(1);
  });

  it("fails with channel_not_found for an unknown channel", async () => {
    await using slack = await startSlackApiServer();
    await using failed = await failRun("slack_on_run_failure");
    slack.reply({ body: { ok: false, error: "channel_not_found" } });
    const sensor = makeSlackOnRunFailureSensor({ channel: "#nope", slackToken: TOKEN, slackApiUrl: slack.url });

    await expect(sensor.evaluate(failed.context)).rejects.toThrow("failed with channel_not_found; check the channel name and invite the app to it.");
  });

  it("retries a rate-limited post after the delay Slack asks for", async () => {
    await using slack = await startSlackApiServer();
    await using failed = await failRun("slack_on_run_failure");
    slack.reply({ status: 429, headers: { "retry-after": "1" }, body: { ok: false, error: "ratelimited" } });
    const sensor = makeSlackOnRunFailureSensor({ channel: "#alerts", slackToken: TOKEN, slackApiUrl: slack.url });

    await sensor.evaluate(failed.context);

    expect(slack.calls.map((c) => c.fields.channel)).toEqual(["#alerts", "#alerts"]);
    // The second attempt waited for Retry-After (1 s); a lower bound, not a duration assertion.
    expect(slack.calls[1]!.receivedAt - slack.calls[0]!.receivedAt).toBeGreaterThanOrEqual(900);
  });

  it("fails with ratelimited when Slack asks for a longer wait than a tick allows", async () => {
    await using slack = await startSlackApiServer();
    await using failed = await failRun("slack_on_run_failure");
    slack.reply({ status: 429, headers: { "retry-after": "120" }, body: { ok: false, error: "ratelimited" } });
    const sensor = makeSlackOnRunFailureSensor({ channel: "#alerts", slackToken: TOKEN, slackApiUrl: slack.url });

    await expect(sensor.evaluate(failed.context)).rejects.toThrow(
      `Posting the failure of run "${failed.runId}" to Slack failed with ratelimited (Slack asked to retry after 120 s, and an alert waits at most 30 s in all)`,
    );
    expect(slack.calls).toHaveLength(1);
  });

  it("gives up with ratelimited after three retries", async () => {
    await using slack = await startSlackApiServer();
    await using failed = await failRun("slack_on_run_failure");
    const limited = { status: 429, headers: { "retry-after": "0" }, body: { ok: false, error: "ratelimited" } };
    slack.reply(limited, limited, limited, limited);
    const sensor = makeSlackOnRunFailureSensor({ channel: "#alerts", slackToken: TOKEN, slackApiUrl: slack.url });

    await expect(sensor.evaluate(failed.context)).rejects.toThrow("failed with ratelimited (it was still rate limited after 3 retries)");
    expect(slack.calls).toHaveLength(4);
  });

  it("fails saying so when it has no token", async () => {
    await using failed = await failRun("slack_on_run_failure");
    const sensor = makeSlackOnRunFailureSensor({ channel: "#alerts", slackToken: undefined });

    await expect(sensor.evaluate(failed.context)).rejects.toThrow(
      `Sensor "slack_on_run_failure" has no slackToken, so it cannot report the failure of run "${failed.runId}"; set slackToken (e.g. from process.env) to a bot token.`,
    );
  });

  it("names itself slack_on_run_failure and passes the sensor options on", () => {
    const sensor = makeSlackOnRunFailureSensor({
      channel: "#alerts",
      slackToken: TOKEN,
      monitoredJobs: ["nightly_etl"],
      minimumIntervalSeconds: 10,
      defaultStatus: DefaultSensorStatus.RUNNING,
    });
    expect([sensor.name, sensor.monitoredJobNames, sensor.minimumIntervalSeconds, sensor.defaultStatus, sensor.eventType]).toEqual([
      "slack_on_run_failure",
      ["nightly_etl"],
      10,
      "RUNNING",
      "RUN_FAILURE",
    ]);
  });

  it("rejects a missing channel and a malformed base URL at definition time", () => {
    expect(() => makeSlackOnRunFailureSensor({ channel: "", slackToken: TOKEN })).toThrow(
      'Sensor "slack_on_run_failure" has channel ""; give a Slack channel such as "#alerts" or a channel id.',
    );
    expect(() => makeSlackOnRunFailureSensor({ channel: "#a", slackToken: TOKEN, webserverBaseUrl: "vigil.local" })).toThrow(
      'Sensor "slack_on_run_failure" has webserverBaseUrl "vigil.local"; give an http(s) URL such as "https://vigil.example.com".',
    );
  });
});
