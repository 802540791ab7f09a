// The client's HTTP layer over real sockets: failover across broker URLs, errors rebuilt from
// responses, credentials, deadlines and cancellation.
import { type AddressInfo, createServer, type Server } from "node:net";
import { serve } from "@hono/node-server";
import { startNodeBroker } from "@rill/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, isRetriable, RillError } from "../../packages/client/src/index.ts";
import { freePort } from "../harness/local-broker.ts";
import { uniqueTopic } from "../helpers/names.ts";

let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const broker = await startNodeBroker();
  url = broker.url;
  close = broker.close;
});
afterAll(() => close());

/** A socket server that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; server: Server }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A tiny HTTP stand-in answering every request with the same status and body. */
async function fixedServer(status: number, body: string, seen: Headers[] = []) {
  const server = serve({
    fetch: (request: Request) => {
      seen.push(request.headers);
      return new Response(body, { status, headers: { "content-type": body.startsWith("{") ? "application/json" : "text/plain" } });
    },
    hostname: "127.0.0.1",
    port: 0,
  });
  await new Promise((r) => server.once("listening", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

describe("transport", () => {
  it("fails over to the next broker URL when the first is down, and stays there", async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const client = createClient({ brokers: [down, url] });
    const topic = uniqueTopic("f");
    expect(await client.admin().createTopics({ topics: [{ topic }] })).toBe(true);
    expect(client.transport.currentBroker()).toBe(url);
    const producer = client.producer({ lingerMs: 0 });
    expect((await producer.send({ topic, messages: [{ value: "via the second broker" }] }))[0]?.offset).toBe(0);
    await producer.disconnect();
    const error = await createClient({ brokers: [down] })
      .admin()
      .listTopics()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RillError);
    expect(error).toMatchObject({ code: "NETWORK_EXCEPTION", retriable: true });
  });

  it("moves on from a broker that answers 503", async () => {
    const unavailable = await fixedServer(
      503,
      JSON.stringify({ error: { code: "LEADER_NOT_AVAILABLE", message: "electing", retriable: true } }),
    );
    const client = createClient({ brokers: [unavailable.url, url] });
    expect(Array.isArray(await client.admin().listTopics())).toBe(true);
    expect(client.transport.currentBroker()).toBe(url);
    const only = await createClient({ brokers: [unavailable.url] })
      .admin()
      .listTopics()
      .catch((e: unknown) => e);
    expect(only).toMatchObject({ code: "LEADER_NOT_AVAILABLE", retriable: true, message: "electing" });
    await unavailable.close();
  });

  it("rebuilds errors: known codes with details, unknown codes, and bodies that are not Rill's", async () => {
    const client = createClient({ brokers: [url] });
    const topic = uniqueTopic("e");
    await client.admin().createTopics({ topics: [{ topic }] });
    const consumer = client.consumer({ autoOffsetReset: "none" });
    await consumer.assign([{ topic }]);
    consumer.seek({ topic, partition: 0, offset: 9 });
    const outOfRange = await consumer.run({ eachMessage: () => undefined }).catch((e: unknown) => e);
    expect(outOfRange).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", details: { logStartOffset: 0, highWatermark: 0, status: 416 } });

    const future = await fixedServer(
      409,
      JSON.stringify({ error: { code: "SHINY_NEW_ERROR", message: "from the future", retriable: true, hint: 1 } }),
    );
    const unknown = await createClient({ brokers: [future.url] })
      .admin()
      .listTopics()
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({
      code: "UNKNOWN_SERVER_ERROR",
      message: "from the future",
      details: { serverCode: "SHINY_NEW_ERROR", hint: 1 },
    });
    expect(isRetriable(unknown)).toBe(true);
    await future.close();

    const gateway = await fixedServer(502, "<html>bad gateway</html>");
    const proxy = await createClient({ brokers: [gateway.url] })
      .admin()
      .listTopics()
      .catch((e: unknown) => e);
    expect(proxy).toMatchObject({ code: "NETWORK_EXCEPTION", retriable: true });
    expect((proxy as Error).message).toMatch(/HTTP 502.*bad gateway/);
    await gateway.close();
  });

  it("sends the client id and credentials with every request", async () => {
    const seen: Headers[] = [];
    const echo = await fixedServer(200, JSON.stringify({ topics: [] }), seen);
    await createClient({ brokers: [echo.url], clientId: "billing", auth: { bearer: "s3cret" } })
      .admin()
      .listTopics();
    await createClient({ brokers: [echo.url], auth: { headers: { "x-api-key": "k1" } } })
      .admin()
      .listTopics();
    expect(seen[0]?.get("authorization")).toBe("Bearer s3cret");
    expect(seen[0]?.get("rill-client-id")).toBe("billing");
    expect(seen[1]?.get("x-api-key")).toBe("k1");
    await echo.close();
  });

  it("times out a silent broker with REQUEST_TIMED_OUT and cancels on an AbortSignal", async () => {
    const silent = await silentServer();
    const client = createClient({ brokers: [silent.url], requestTimeoutMs: 100 });
    await expect(client.admin().listTopics()).rejects.toMatchObject({ code: "REQUEST_TIMED_OUT", retriable: true });
    const controller = new AbortController();
    const pending = client.transport.json({ method: "GET", path: "/v1/topics", signal: controller.signal, timeoutMs: 60_000 });
    controller.abort(new Error("user cancelled"));
    await expect(pending).rejects.toThrow("user cancelled");
    silent.server.close();
  });

  it("refuses a client without usable broker URLs", () => {
    expect(() => createClient({ brokers: [] })).toThrow(RillError);
    expect(() => createClient({ brokers: ["127.0.0.1:8787"] })).toThrow(/not an http/);
  });
});
