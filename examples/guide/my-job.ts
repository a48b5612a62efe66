// A job with no config, for the sensors of the guide that launch "my_job".
import { z } from "zod";
import { job, op } from "vigil";

export const readMaterialization = op(
  { name: "read_materialization", config: z.object({ asset_key: z.array(z.string()) }).optional() },
  (context) => context.opConfig?.asset_key ?? null,
);

export const myJob = job({ name: "my_job" }, () => readMaterialization());
