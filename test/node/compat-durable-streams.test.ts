// The Durable Streams project's own conformance suite (@durable-streams/server-conformance-tests),
// run unchanged against Rill's /v1/stream face on the in-process broker. The same suite runs
// against the edge (wrangler dev) in compat-durable-streams-edge.test.ts.

import { runConformanceTests } from "@durable-streams/server-conformance-tests";
import { type ServedNodeBroker, startNodeBroker } from "@rill/node";
import { afterAll, beforeAll, describe } from "vitest";

const LONG_POLL_MS = 2_000;
const config = { baseUrl: "", longPollTimeoutMs: LONG_POLL_MS };
let broker: ServedNodeBroker;

beforeAll(async () => {
  broker = await startNodeBroker({ durableStreams: { longPollTimeoutMs: LONG_POLL_MS } });
  config.baseUrl = broker.url;
});

afterAll(async () => {
  await broker?.close();
});

describe("Durable Streams conformance, in-process broker", () => {
  runConformanceTests(config);
});
