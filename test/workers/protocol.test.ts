// The protocol suites inside workerd: the Worker, the controller, partition and group Durable Objects on SQLite.
import { SELF } from "cloudflare:test";
import { groupsSuite } from "../protocol/groups-suite.ts";
import { type ProtocolFixture, protocolSuite } from "../protocol/suite.ts";

const fixture: ProtocolFixture = { name: "workerd (durable objects)", fetch: (path, init) => SELF.fetch(`http://rill.local${path}`, init) };
protocolSuite(fixture);
groupsSuite(fixture);
