// Rill's in-process broker (@rill/node, memory storage: the package's default) served on
// 127.0.0.1 in a process of its own, so it does not share the load generator's event loop.
// Prints "listening <url>" once it serves.
//   tsx bench/peers/node-server.ts
import { startNodeBroker } from "@rill/node";

const served = await startNodeBroker();
process.stdout.write(`listening ${served.url}\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    served.close().finally(() => process.exit(0));
  });
}
