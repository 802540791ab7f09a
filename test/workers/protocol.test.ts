// The protocol suite inside workerd: the Worker, the controller and partition Durable Objects on SQLite.
import { SELF } from "cloudflare:test";
import { protocolSuite } from "../protocol/suite.ts";

protocolSuite({ name: "workerd (durable objects)", fetch: (path, init) => SELF.fetch(`http://rill.local${path}`, init) });
