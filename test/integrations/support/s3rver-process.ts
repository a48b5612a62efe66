// An S3 emulator (s3rver) in a child process on loopback, and an S3 client for it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

// The SDK warns on Node 20 (releases after early 2027 need Node 22); the pinned version works.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export interface S3rverProcess extends AsyncDisposable {
  endpoint: string;
  client: S3Client;
  /** Creates a bucket and puts `keys` into it (a few dozen at a time). */
  createBucket(bucket: string, keys?: readonly string[]): Promise<void>;
  putKeys(bucket: string, keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./s3rver-child.mjs", import.meta.url));

export async function startS3rver(): Promise<S3rverProcess> {
  const directory = mkdtempSync(join(tmpdir(), "vigil-s3rver-"));
  const child: ChildProcess = spawn(process.execPath, ["--openssl-legacy-provider", CHILD, directory], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`s3rver exited with code ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  child.removeAllListeners("exit");
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  const putKeys = async (bucket: string, keys: readonly string[]) => {
    for (let i = 0; i < keys.length; i += 25) {
      await Promise.all(keys.slice(i, i + 25).map((Key) => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))));
    }
  };
  const close = async () => {
    client.destroy();
    if (child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    }
    rmSync(directory, { recursive: true, force: true });
  };
  return {
    endpoint,
    client,
    async createBucket(bucket, keys = []) {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      await putKeys(bucket, keys);
    },
    putKeys,
    close,
    [Symbol.asyncDispose]: close,
  };
}
