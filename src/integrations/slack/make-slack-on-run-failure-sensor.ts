import {
  ErrorCode as SlackErrorCode,
  LogLevel,
  WebClient,
  type Block,
  type KnownBlock,
  type WebAPIPlatformError,
  type WebAPIRateLimitedError,
} from "@slack/web-api";
import {
  DefinitionError,
  runFailureSensor,
  type RunFailureSensorContext,
  type RunStatusSensorDefinition,
} from "../../index.js";
import { failureSensorOptions, type RunFailureAlertOptions } from "../run-failure-alert-options.js";

/**
 * A Slack Block Kit block, as `chat.postMessage` takes it.
 *
 * @example
 * const divider: SlackBlock = { type: "divider" };
 */
export type SlackBlock = KnownBlock | Block;

/**
 * Options of `makeSlackOnRunFailureSensor(...)`.
 *
 * @example
 * const options: SlackOnRunFailureSensorOptions = { channel: "#alerts", slackToken: process.env.SLACK_TOKEN };
 * @see docs/integrations/slack.md
 */
export interface SlackOnRunFailureSensorOptions extends RunFailureAlertOptions {
  /** The channel to post to: a name such as `"#alerts"` or a channel id. */
  channel: string;
  /**
   * A bot token (`xoxb-…`) with `chat:write`. It may be `undefined` when the definitions are
   * loaded (e.g. `process.env.SLACK_TOKEN` in CI); a tick that has to post then fails, saying so.
   */
  slackToken: string | undefined;
  /**
   * The message text (also the notification text when there are blocks).
   * @defaultValue `` Error: ```<failureEvent.message>``` ``
   */
  textFn?: (context: RunFailureSensorContext) => string | Promise<string>;
  /**
   * The message's Block Kit blocks.
   * @defaultValue a section naming the job and the run, a section with the text, and, with
   * `webserverBaseUrl`, a "View in Vigil" button linking the run.
   */
  blocksFn?: (context: RunFailureSensorContext) => SlackBlock[] | Promise<SlackBlock[]>;
  /** @defaultValue `"slack_on_run_failure"` */
  name?: string;
  /** The Slack Web API's base URL. @defaultValue `"https://slack.com/api/"` */
  slackApiUrl?: string;
}

/**
 * The default sensor name of `makeSlackOnRunFailureSensor`.
 *
 * @example
 * await instance.getTicks(DEFAULT_SLACK_SENSOR_NAME); // "slack_on_run_failure"
 */
export const DEFAULT_SLACK_SENSOR_NAME = "slack_on_run_failure";

/**
 * A rate-limited `chat.postMessage` is retried after the delay Slack asks for (`Retry-After`), at
 * most this many times; the tick fails with `ratelimited` after that.
 *
 * @example
 * SLACK_MAX_RATE_LIMIT_RETRIES; // 3
 */
export const SLACK_MAX_RATE_LIMIT_RETRIES = 3;
/**
 * The most time (seconds) one alert spends waiting on `Retry-After`s, all retries together. When
 * Slack asks for more, the tick fails at once rather than run into its timeout (60 s by default).
 *
 * @example
 * SLACK_MAX_RETRY_AFTER_SECONDS; // 30
 */
export const SLACK_MAX_RETRY_AFTER_SECONDS = 30;

/**
 * The error a Slack alert fails with; the tick's error carries its message. `slackError` is Slack's
 * own error code (`invalid_auth`, `channel_not_found`, `ratelimited`…), or `request_failed` when
 * Slack could not be reached.
 *
 * @example
 * if (error instanceof SlackAlertError && error.slackError === "invalid_auth") rotateToken();
 */
export class SlackAlertError extends Error {
  /** Slack's error code, e.g. `"channel_not_found"`. */
  readonly slackError: string;

  constructor(message: string, slackError: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SlackAlertError";
    this.slackError = slackError;
  }
}

/**
 * Defines a run failure sensor that posts each failed run to a Slack channel with
 * `chat.postMessage`. The Slack client is created once, here. A Slack API error (bad token,
 * unknown channel, rate limit past {@link SLACK_MAX_RATE_LIMIT_RETRIES} retries) fails the tick
 * with Slack's error code in its message; as for every run failure sensor, the cursor still moves
 * past that run, so an alert is never retried forever.
 *
 * @example
 * import { makeSlackOnRunFailureSensor } from "vigil/slack";
 *
 * export const slackOnRunFailure = makeSlackOnRunFailureSensor({
 *   channel: "#my_channel",
 *   slackToken: process.env.MY_SLACK_TOKEN,
 *   webserverBaseUrl: "https://vigil.example.com",
 * });
 * @see docs/integrations/slack.md
 */
export function makeSlackOnRunFailureSensor(options: SlackOnRunFailureSensorOptions): RunStatusSensorDefinition {
  if (typeof options !== "object" || options === null) {
    throw new DefinitionError(`makeSlackOnRunFailureSensor() needs an options object such as { channel: "#alerts", slackToken }.`);
  }
  const name = options.name ?? DEFAULT_SLACK_SENSOR_NAME;
  const { channel, slackToken, textFn = defaultSlackText, blocksFn, webserverBaseUrl, slackApiUrl } = options;
  if (typeof channel !== "string" || channel.length === 0) {
    throw new DefinitionError(`Sensor "${name}" has channel ${show(channel)}; give a Slack channel such as "#alerts" or a channel id.`);
  }
  if (slackToken !== undefined && typeof slackToken !== "string") {
    throw new DefinitionError(`Sensor "${name}" has slackToken ${show(slackToken)}; give the bot token as a string.`);
  }
  checkFunction(name, "textFn", textFn);
  checkFunction(name, "blocksFn", blocksFn);
  const baseUrl = compileBaseUrl(name, "webserverBaseUrl", webserverBaseUrl);
  const apiUrl = compileBaseUrl(name, "slackApiUrl", slackApiUrl);

  const client =
    slackToken === undefined || slackToken === ""
      ? null
      : new WebClient(slackToken, {
          ...(apiUrl === undefined ? {} : { slackApiUrl: `${apiUrl}/` }),
          // Rate limits are retried below, after Slack's Retry-After; other failures fail the tick at
          // once rather than after the client's default of ten retries over half an hour.
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          logLevel: LogLevel.ERROR,
        });

  return runFailureSensor(
    failureSensorOptions(name, options),
    async (context) => {
      if (client === null) {
        throw new SlackAlertError(
          `Sensor "${name}" has no slackToken, so it cannot report the failure of run "${context.run.runId}"; set slackToken (e.g. from process.env) to a bot token.`,
          "not_authed",
        );
      }
      const text = await textFn(context);
      const blocks = blocksFn === undefined ? defaultSlackBlocks(context, text, baseUrl) : await blocksFn(context);
      await postWithRateLimitRetries(name, context.run.runId, () => client.chat.postMessage({ channel, text, blocks }));
      context.log.info(`Posted the failure of run "${context.run.runId}" (job "${context.run.jobName}") to Slack channel ${channel}.`);
    },
  );
}

/**
 * The default message text: the failure message in a code block.
 *
 * @example
 * defaultSlackText(context); // "Error: ```Execution of run for \"etl\" failed. Op \"load\" failed: boom```"
 */
export function defaultSlackText(context: RunFailureSensorContext): string {
  return `Error: \`\`\`${context.failureEvent.message}\`\`\``;
}

/**
 * The default blocks: a section naming the job and the run, a section with `text`, and, with a
 * base URL, an actions block with a "View in Vigil" button linking `{baseUrl}/runs/{runId}`.
 *
 * @example
 * makeSlackOnRunFailureSensor({ channel, slackToken, blocksFn: (ctx) => [...defaultSlackBlocks(ctx, "extra"), myBlock] });
 */
export function defaultSlackBlocks(context: RunFailureSensorContext, text: string, webserverBaseUrl?: string): KnownBlock[] {
  const { runId, jobName } = context.run;
  const blocks: KnownBlock[] = [
    { type: "section", text: { type: "mrkdwn", text: `*Job "${jobName}" failed.* Run \`${runId}\`` } },
    { type: "section", text: { type: "mrkdwn", text } },
  ];
  if (webserverBaseUrl !== undefined) {
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "View in Vigil" }, url: `${webserverBaseUrl.replace(/\/+$/, "")}/runs/${runId}` }],
    });
  }
  return blocks;
}

async function postWithRateLimitRetries(sensorName: string, runId: string, post: () => Promise<unknown>): Promise<void> {
  let waited = 0;
  for (let retries = 0; ; retries++) {
    try {
      await post();
      return;
    } catch (error) {
      if (isRateLimited(error)) {
        const wait = error.retryAfter;
        if (retries < SLACK_MAX_RATE_LIMIT_RETRIES && waited + wait <= SLACK_MAX_RETRY_AFTER_SECONDS) {
          await new Promise((resolve) => setTimeout(resolve, wait * 1000));
          waited += wait;
          continue;
        }
        const why =
          retries >= SLACK_MAX_RATE_LIMIT_RETRIES
            ? `it was still rate limited after ${retries} retries`
            : `Slack asked to retry after ${wait} s, and an alert waits at most ${SLACK_MAX_RETRY_AFTER_SECONDS} s in all`;
        throw new SlackAlertError(
          `Posting the failure of run "${runId}" to Slack failed with ratelimited (${why}); Slack allows about one message per second per channel, so spread alerts over more channels or sensor "${sensorName}" over fewer jobs.`,
          "ratelimited",
          { cause: error },
        );
      }
      throw toSlackAlertError(sensorName, runId, error);
    }
  }
}

function toSlackAlertError(sensorName: string, runId: string, error: unknown): SlackAlertError {
  const prefix = `Posting the failure of run "${runId}" to Slack for sensor "${sensorName}" failed`;
  if (isPlatformError(error)) {
    const code = error.data.error;
    return new SlackAlertError(`${prefix} with ${code}; ${adviceFor(code)}`, code, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SlackAlertError(`${prefix}: ${message}; check slackApiUrl and the network.`, "request_failed", { cause: error });
}

function adviceFor(code: string): string {
  switch (code) {
    case "invalid_auth":
    case "not_authed":
    case "account_inactive":
    case "token_revoked":
    case "token_expired":
      return "check slackToken.";
    case "channel_not_found":
    case "not_in_channel":
    case "is_archived":
      return "check the channel name and invite the app to it.";
    case "missing_scope":
      return "give the app the chat:write scope.";
    default:
      return "see https://api.slack.com/methods/chat.postMessage#errors.";
  }
}

function isRateLimited(error: unknown): error is WebAPIRateLimitedError {
  return hasCode(error, SlackErrorCode.RateLimitedError) && typeof (error as { retryAfter?: unknown }).retryAfter === "number";
}

function isPlatformError(error: unknown): error is WebAPIPlatformError {
  return hasCode(error, SlackErrorCode.PlatformError) && typeof (error as { data?: { error?: unknown } }).data?.error === "string";
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

function checkFunction(sensorName: string, option: string, value: unknown): void {
  if (value !== undefined && typeof value !== "function") {
    throw new DefinitionError(`Sensor "${sensorName}" has ${option} ${show(value)}; give a function of the run failure context, or leave it out.`);
  }
}

function compileBaseUrl(sensorName: string, option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^https?:\/\/[^\s]+$/.test(value)) {
    throw new DefinitionError(`Sensor "${sensorName}" has ${option} ${show(value)}; give an http(s) URL such as "https://vigil.example.com".`);
  }
  return value.replace(/\/+$/, "");
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : typeof value === "object" ? "an object" : String(value);
}
