// vigil/aws: S3 helpers. The AWS SDK (@aws-sdk/client-s3, an optional peer dependency) is loaded
// on first use, never by importing this module.
export { getS3Keys, type GetS3KeysOptions } from "./get-s3-keys.js";
export { s3Sensor, DEFAULT_MAX_KEYS_PER_TICK, type S3SensorOptions, type S3SensorRunConfig } from "./s3-sensor.js";
