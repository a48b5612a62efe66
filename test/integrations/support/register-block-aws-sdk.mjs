import { register } from "node:module";

register("./block-aws-sdk.mjs", import.meta.url);
