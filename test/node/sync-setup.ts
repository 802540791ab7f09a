// What the sync tests share: what a test starts is stopped after it; the edge they sync with is a
// Node broker behind a TCP proxy the test can cut, blackhole or make drop and hold answers; and the
// fault checker's verdict on an upload.
import { type ServedNodeBroker, startNodeBroker } from "@rill/node";
import { afterEach } from "vitest";
import type { SyncEngine } from "../../packages/sync/src/index.ts";
import type { ReadBack, Sent } from "../../packages/sync/test/harness.ts";
import { check } from "../faults/check.ts";
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

/** The records `sent` with the edge offsets the engine reports for them (-1 where it does not know). */
export function withEdgeOffsets(engine: SyncEngine, sent: readonly Sent[]): Promise<Sent[]> {
  return Promise.all(
    sent.map(async (s) => ({
      ...s,
      offset: (await engine.uploaded({ topicName: "outbox", partition: s.partition, offset: s.offset })).edgeOffset,
    })),
  );
}

/**
 * The fault checker's verdict on what reached the edge, and `moved`: records whose edge offset the
 * engine reported (this engine sent them) but which stand elsewhere.
 */
export function uploadVerdict(sent: readonly Sent[], known: readonly Sent[], read: readonly ReadBack[]) {
  return {
    verdict: check(sent.length, known, read),
    moved: check(
      sent.length,
      known.filter((k) => k.offset >= 0),
      read,
    ).movedOffsets,
  };
}
