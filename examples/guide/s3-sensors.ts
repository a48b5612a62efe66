// "S3 sensors": the guide's my_s3_sensor on getS3Keys, and the same with the s3Sensor helper. Both
// use the default S3 client, configured from the environment (AWS_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, and AWS_ENDPOINT_URL for an S3-compatible store).
import { RunRequest, SkipReason, sensor } from "vigil";
import { getS3Keys, s3Sensor } from "vigil/aws";
import { logFileJob } from "./log-file-job.js";
import { myJob } from "./my-job.js";

export const myS3Sensor = sensor({ name: "my_s3_sensor", job: myJob }, async function* (context) {
  const newS3Keys = await getS3Keys("my_s3_bucket", { sinceKey: context.lastRunKey });
  if (newS3Keys.length === 0) {
    yield new SkipReason("No new s3 files found for bucket my_s3_bucket.");
    return;
  }
  for (const s3Key of newS3Keys) {
    yield new RunRequest({ runKey: s3Key, runConfig: {} });
  }
});

// The helper keeps its place in the cursor and hands each key to the job's config.
export const myS3FilesSensor = s3Sensor({
  name: "my_s3_files_sensor",
  bucket: "my_s3_bucket",
  prefix: "incoming/",
  job: logFileJob,
  runConfigFn: (key) => ({ ops: { process_file: { config: { filename: key } } } }),
});
