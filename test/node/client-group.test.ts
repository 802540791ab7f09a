// The consumer group suite against the in-process broker (memory storage), through the app's fetch.
import { createNodeBroker } from "@rill/node";
import { groupSuite } from "../../packages/client/test/group-suite.ts";
import { messagingSuite } from "../../packages/client/test/messaging-suite.ts";
import type { ClientFixture } from "../../packages/client/test/suite.ts";

const broker = createNodeBroker();
const fixture: ClientFixture = {
  name: "node in-process (memory)",
  brokers: ["http://rill.test"],
  fetch: broker.fetch,
};
groupSuite(fixture);
messagingSuite(fixture);
