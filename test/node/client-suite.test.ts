// The client suite against the in-process broker (memory storage), through the app's fetch.
import { createBusApp, createLocalBroker } from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import { clientSuite } from "../../packages/client/test/suite.ts";

const app = createBusApp(createLocalBroker({ storage: createMemoryStorage() }));
clientSuite({
  name: "node in-process (memory)",
  brokers: ["http://rill.test"],
  fetch: async (input, init) => app.fetch(new Request(input, init)),
});
