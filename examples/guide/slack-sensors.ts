// "Run status sensors" and "Job failure sensor" with Slack: the guide's hand-written sensors on the
// Slack Web API client, and the ready-made one from vigil/slack. The token comes from the
// environment; SLACK_API_URL (optional) points the clients at another Slack API endpoint.
import { WebClient } from "@slack/web-api";
import { RunStatus, runFailureSensor, runStatusSensor, type RunFailureSensorContext, type RunStatusSensorContext } from "vigil";
import { makeSlackOnRunFailureSensor } from "vigil/slack";

function slackClient(): WebClient {
  return new WebClient(process.env.SLACK_DAGSTER_ETL_BOT_TOKEN, { slackApiUrl: process.env.SLACK_API_URL });
}

export const mySlackOnRunSuccess = runStatusSensor({ name: "my_slack_on_run_success", runStatus: RunStatus.SUCCESS }, async (context: RunStatusSensorContext) => {
  await slackClient().chat.postMessage({
    channel: "#alert-channel",
    text: `Job "${context.run.jobName}" succeeded.`,
  });
});

export const mySlackOnRunFailure = runFailureSensor({ name: "my_slack_on_run_failure" }, async (context: RunFailureSensorContext) => {
  await slackClient().chat.postMessage({
    channel: "#alert-channel",
    text: `Job "${context.run.jobName}" failed. Error: ${context.failureEvent.message}`,
  });
});

// make_slack_on_run_failure_sensor("#my_channel", os.getenv("MY_SLACK_TOKEN"))
export const slackOnRunFailure = makeSlackOnRunFailureSensor({
  channel: "#my_channel",
  slackToken: process.env.MY_SLACK_TOKEN,
  slackApiUrl: process.env.SLACK_API_URL,
});
