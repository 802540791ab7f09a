// The consumer group suite against the in-process broker (memory storage), through the app's fetch.
import { createBusApp, createLocalBroker } from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import { groupSuite } from "../../packages/client/test/group-suite.ts";
import { messagingSuite } from "../../packages/client/test/messaging-suite.ts";
import type { ClientFixture } from "../../packages/client/test/suite.ts";

const app = createBusApp(createLocalBroker({ storage: createMemoryStorage() }));
const fixture: ClientFixture = {
  name: "node in-process (memory)",
  brokers: ["http://rill.test"],
  fetch: async (input, init) => app.fetch(new Request(input, init)),
};
groupSuite(fixture);
messagingSuite(fixture);
