// The job the guide's sensors launch: an op that logs the filename given in its config.
import { z } from "zod";
import { job, op } from "vigil";

export const processFile = op({ name: "process_file", config: z.object({ filename: z.string() }) }, (context) => {
  const filename = context.opConfig.filename;
  context.log.info(filename);
});

// The body returns the op's handle, so the job's run config is typed (see runRequestFor).
export const logFileJob = job({ name: "log_file_job" }, () => processFile());

/** The directory the file sensors watch: `$MY_DIRECTORY`, else `./data`. Read at evaluation time. */
export function myDirectory(): string {
  return process.env.MY_DIRECTORY ?? "data";
}
