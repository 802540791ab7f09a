// The Durable Streams reference server (npm @durable-streams/server, file-backed: an append-only
// log per stream plus LMDB, fdatasync on every append) in a process of its own, so it does not
// share the load generator's event loop. Prints "listening <url>" once it answers.
//   tsx bench/peers/ds-server.ts <dataDir>
import { DurableStreamTestServer } from "@durable-streams/server";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: ds-server.ts <dataDir>");
const server = new DurableStreamTestServer({ port: 0, host: "127.0.0.1", dataDir, longPollTimeout: 5_000 });
const url = await server.start();
process.stdout.write(`listening ${url}\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    server.stop().finally(() => process.exit(0));
  });
}
