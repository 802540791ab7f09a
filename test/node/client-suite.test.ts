// The client suite against the in-process broker (memory storage), through the app's fetch.
import { createNodeBroker } from "@rill/node";
import { clientSuite } from "../../packages/client/test/suite.ts";

const broker = createNodeBroker();
clientSuite({
  name: "node in-process (memory)",
  brokers: ["http://rill.test"],
  fetch: broker.fetch,
});
