import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const block = fileURLToPath(new URL("./support/register-block-aws-sdk.mjs", import.meta.url));

// In a child process where @aws-sdk/* cannot be resolved at all: importing works, and only
// listing keys needs the SDK.
const script = `
const vigil = await import("vigil");
const aws = await import("vigil/aws");
await import("vigil/slack");
await import("vigil/email");
const out = { vigil: typeof vigil.sensor, getS3Keys: typeof aws.getS3Keys, s3Sensor: typeof aws.s3Sensor };
try { await aws.getS3Keys("bucket"); out.error = null; } catch (e) { out.error = e.message; }
out.sdk = await import("@aws-sdk/client-s3").then(() => "loaded", () => "blocked");
console.log(JSON.stringify(out));
`;

describe("vigil/aws without the AWS SDK", () => {
  it("imports without loading the SDK, and says how to install it when keys are listed", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--import", block, "--conditions=vigil-source", "--input-type=module", "-e", script],
      { cwd: root },
    );
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({
      vigil: "function",
      getS3Keys: "function",
      s3Sensor: "function",
      sdk: "blocked",
      error: 'vigil/aws needs the package "@aws-sdk/client-s3", which is not installed; run npm install @aws-sdk/client-s3.',
    });
  });
});
