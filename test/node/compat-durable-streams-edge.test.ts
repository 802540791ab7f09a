// The Durable Streams conformance suite against the edge broker: the Worker and its Durable
// Objects under `wrangler dev` (workerd), reached over HTTP as any Durable Streams client would.
import { runConformanceTests } from "@durable-streams/server-conformance-tests";
import { afterAll, beforeAll, describe } from "vitest";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";

const LONG_POLL_MS = 2_000;
const config = { baseUrl: "", longPollTimeoutMs: LONG_POLL_MS };
let edge: LocalBrokerProcess;

beforeAll(async () => {
  edge = await startLocalBroker({ vars: { RILL_DS_LONG_POLL_MS: String(LONG_POLL_MS) } });
  config.baseUrl = edge.url;
}, 60_000);

afterAll(async () => {
  await edge?.stop();
});

// The suite reads SSE answers within fixed 2-second windows of its own; on a loaded 2-core machine
// (all of npm test beside a workerd) a window can close before a healthy answer arrives, so a
// failed test is asked again, at most twice. The in-process run has no retries.
describe("Durable Streams conformance, edge broker (wrangler dev)", { retry: 2 }, () => {
  runConformanceTests(config);
});
