import type * as S3Sdk from "@aws-sdk/client-s3";

/** The AWS SDK's S3 module, as `import("@aws-sdk/client-s3")` gives it. */
export type S3SdkModule = typeof S3Sdk;

let sdk: Promise<S3SdkModule> | undefined;
let defaultClient: Promise<S3Sdk.S3Client> | undefined;

/**
 * @internal Loads `@aws-sdk/client-s3` on first use, so that importing `vigil` or `vigil/aws`
 * never loads the SDK (about 20 MB of modules) for users who do not list S3 keys.
 */
export function loadS3Sdk(): Promise<S3SdkModule> {
  sdk ??= import("@aws-sdk/client-s3").catch((error: unknown) => {
    sdk = undefined;
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new Error('vigil/aws needs the package "@aws-sdk/client-s3", which is not installed; run npm install @aws-sdk/client-s3.', { cause: error });
    }
    throw error;
  });
  return sdk;
}

/**
 * @internal The client used when none is given: one per process, configured by the SDK's default
 * chain (`AWS_REGION`, `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`…, instance roles).
 */
export function defaultS3Client(): Promise<S3Sdk.S3Client> {
  defaultClient ??= loadS3Sdk().then(({ S3Client }) => new S3Client({}));
  return defaultClient;
}
