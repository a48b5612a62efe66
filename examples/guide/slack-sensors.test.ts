import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance, buildRunStatusSensorContext } from "vigil";
import { startSlackApiServer, type SlackApiServer } from "../../test/integrations/support/slack-api-server.js";
import { myJobFails, myJobSucceeds } from "./testing-run-status-sensors.js";

let slack: SlackApiServer;
let sensors: typeof import("./slack-sensors.js");
beforeAll(async () => {
  slack = await startSlackApiServer();
  process.env.SLACK_API_URL = slack.url;
  process.env.SLACK_DAGSTER_ETL_BOT_TOKEN = "xoxb-etl-bot";
  process.env.MY_SLACK_TOKEN = "xoxb-my-token";
  // The module reads the environment when it is loaded, as a definitions file does.
  sensors = await import("./slack-sensors.js");
});
afterAll(async () => {
  for (const name of ["SLACK_API_URL", "SLACK_DAGSTER_ETL_BOT_TOKEN", "MY_SLACK_TOKEN"]) delete process.env[name];
  await slack.close();
});

describe("guide: Slack sensors", () => {
  it("posts a success message from my_slack_on_run_success", async () => {
    await using instance = await Instance.ephemeral();
    const result = await myJobSucceeds.executeInProcess({ instance });
    const context = buildRunStatusSensorContext({ sensorName: "my_slack_on_run_success", instance, run: result.run, event: result.getJobSuccessEvent() });
    slack.calls.length = 0;

    await sensors.mySlackOnRunSuccess.evaluate(context);

    expect(slack.calls.map((c) => [c.method, c.headers.authorization, c.fields.channel, c.fields.text])).toEqual([
      ["chat.postMessage", "Bearer xoxb-etl-bot", "#alert-channel", 'Job "my_job_succeeds" succeeded.'],
    ]);
  });

  it("posts the error from my_slack_on_run_failure", async () => {
    await using instance = await Instance.ephemeral();
    const result = await myJobFails.executeInProcess({ instance, raiseOnError: false });
    const context = buildRunStatusSensorContext({ sensorName: "my_slack_on_run_failure", instance, run: result.run, event: result.getJobFailureEvent() }).forRunFailure();
    slack.calls.length = 0;

    await sensors.mySlackOnRunFailure.evaluate(context);

    expect(slack.calls.map((c) => c.fields.text)).toEqual([`Job "my_job_fails" failed. Error: ${result.getJobFailureEvent().message}`]);
    expect(slack.calls[0]!.fields.text).toContain("failure!");
  });

  it("posts to #my_channel with the token from MY_SLACK_TOKEN from makeSlackOnRunFailureSensor", async () => {
    await using instance = await Instance.ephemeral();
    const result = await myJobFails.executeInProcess({ instance, raiseOnError: false });
    const context = buildRunStatusSensorContext({ sensorName: "slack_on_run_failure", instance, run: result.run, event: result.getJobFailureEvent() }).forRunFailure();
    slack.calls.length = 0;

    await sensors.slackOnRunFailure.evaluate(context);

    expect(sensors.slackOnRunFailure.name).toBe("slack_on_run_failure");
    expect(slack.calls.map((c) => [c.headers.authorization, c.fields.channel])).toEqual([["Bearer xoxb-my-token", "#my_channel"]]);
    expect(slack.calls[0]!.fields.text).toContain("failure!");
    expect(slack.calls[0]!.fields.blocks).toContain(`Job \\"my_job_fails\\" failed.`);
  });
});
