// The client suite inside workerd: the client runs in the Workers runtime and speaks to the Worker
// (controller and partition Durable Objects on SQLite) through SELF.fetch.
import { SELF } from "cloudflare:test";
import { clientSuite } from "../../packages/client/test/suite.ts";

clientSuite({ name: "workerd (durable objects)", brokers: ["http://rill.local"], fetch: (input, init) => SELF.fetch(input, init) });
