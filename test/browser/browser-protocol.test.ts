// The cross-runtime protocol suites against the browser broker: the core on Chromium's IndexedDB in
// a SharedWorker, reached from this page through comlink, answering the same HTTP contract as Node
// and the edge.
import { createBrowserBroker } from "@rill/browser";
import { groupsSuite } from "../protocol/groups-suite.ts";
import { type ProtocolFixture, protocolSuite } from "../protocol/suite.ts";

const broker = await createBrowserBroker({ name: `rill-protocol-${Math.random().toString(36).slice(2, 8)}` });
const fixture: ProtocolFixture = { name: "browser (IndexedDB in a SharedWorker)", fetch: (path, init) => broker.fetch(path, init) };
protocolSuite(fixture);
groupsSuite(fixture);
