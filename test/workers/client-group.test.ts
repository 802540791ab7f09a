// The consumer group suite inside workerd: members run in the Workers runtime and reach the Worker
// (group, controller and partition Durable Objects on SQLite) through SELF.fetch.
import { SELF } from "cloudflare:test";
import { groupSuite } from "../../packages/client/test/group-suite.ts";
import { messagingSuite } from "../../packages/client/test/messaging-suite.ts";
import type { ClientFixture } from "../../packages/client/test/suite.ts";

const fixture: ClientFixture = {
  name: "workerd (durable objects)",
  brokers: ["http://rill.local"],
  fetch: (input, init) => SELF.fetch(input, init),
};
groupSuite(fixture);
messagingSuite(fixture);
