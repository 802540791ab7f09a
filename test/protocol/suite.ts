// The HTTP protocol suite: one set of cases, run against every runtime that serves the protocol
// (Node in-process on memory, workerd with Durable Objects on SQLite, the browser's local broker).

import { binaryFetchSuite } from "./binary-fetch-suite.ts";
import type { ProtocolFixture } from "./client.ts";
import { recordsSuite } from "./records-suite.ts";
import { topicsSuite } from "./topics-suite.ts";

// the suites and tests beside this one reach the broker through these
export { type ProtocolFixture, protocolClient, uniqueTopic } from "./client.ts";

export function protocolSuite(fixture: ProtocolFixture): void {
  topicsSuite(fixture);
  recordsSuite(fixture);
  binaryFetchSuite(fixture);
}
