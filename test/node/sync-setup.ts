// Setup the sync tests share: what a test starts is stopped after it, and the edge they sync with is
// a Node broker behind a TCP proxy the test can cut, blackhole or make drop and hold answers.
import { type ServedNodeBroker, startNodeBroker } from "@rill/node";
import { afterEach } from "vitest";
import { startTcpProxy, type TcpProxy } from "../harness/tcp-proxy.ts";

export type Cleanups = Array<() => unknown>;

/** Call once at the top of a test file: what a test pushes on the list is stopped after it, last first. */
export function cleanupsAfterEach(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

/** A Node broker standing for the edge, and a TCP proxy in front of it; both stopped with `cleanups`. */
export async function edgeBehindProxy(cleanups: Cleanups): Promise<{ edge: ServedNodeBroker; proxy: TcpProxy }> {
  const edge = await startNodeBroker();
  const proxy = await startTcpProxy({ upstreamPort: edge.port });
  cleanups.push(
    () => edge.close(),
    () => proxy.close(),
  );
  return { edge, proxy };
}
