// @upstash/kafka against the edge broker (wrangler dev, workerd) with auth on.
import { afterAll, beforeAll, describe } from "vitest";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";
import { upstashSuite } from "./compat-upstash-suite.ts";

const TOKEN = "upstash-compat-edge-token";
let edge: LocalBrokerProcess;

beforeAll(async () => {
  edge = await startLocalBroker({ vars: { RILL_TOKENS: TOKEN } });
}, 60_000);

afterAll(async () => {
  await edge?.stop();
});

describe("Upstash Kafka REST client, edge broker (wrangler dev)", () => {
  upstashSuite(() => ({ url: edge.url, token: TOKEN }));
});
