// @upstash/kafka against the in-process broker with auth on (HTTP Basic, the token as password).
import { type ServedNodeBroker, startNodeBroker } from "@rill/node";
import { afterAll, beforeAll, describe } from "vitest";
import { upstashSuite } from "./compat-upstash-suite.ts";

const TOKEN = "upstash-compat-token";
let broker: ServedNodeBroker;

beforeAll(async () => {
  broker = await startNodeBroker({ auth: { tokens: [TOKEN] } });
});

afterAll(async () => {
  await broker?.close();
});

describe("Upstash Kafka REST client, in-process broker", () => {
  upstashSuite(() => ({ url: broker.url, token: TOKEN }));
});
