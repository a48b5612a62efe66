// Runs s3rver in its own process, started by s3rver-process.ts with --openssl-legacy-provider
// (s3rver's continuation tokens need a legacy cipher on Node 20). Prints {"port":N} when ready.
import S3rver from "s3rver";

const server = new S3rver({ address: "127.0.0.1", port: 0, directory: process.argv[2], silent: true });
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
process.on("SIGTERM", () => {
  server.close().finally(() => process.exit(0));
});
