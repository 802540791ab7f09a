// The page-to-worker transport of the browser broker: bodies are transferred, not copied; an abort
// on the page ends the request inside the host (a held long-poll lets go at once); the status says
// who hosts.
import { createBrowserBroker } from "@rill/browser";
import { expose, wrap } from "comlink";
import { afterAll, describe, expect, it } from "vitest";
import { createAppServer } from "../../packages/browser/src/app-server.ts";
import { createPageFetch } from "../../packages/browser/src/page-fetch.ts";
import type { WireServer } from "../../packages/browser/src/wire.ts";
import { until } from "../helpers/wait.ts";

const broker = await createBrowserBroker({ name: `rill-transport-${Math.random().toString(36).slice(2, 8)}` });
afterAll(() => broker.close());

const json = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("browser broker transport", () => {
  it("reports that this page's SharedWorker hosts the database", async () => {
    await until(() => broker.status().host.state === "hosting", "the worker to host");
    const { host, storage, errors } = broker.status();
    expect(host).toMatchObject({ mode: "shared", isHost: true, state: "hosting" });
    expect(host.hostId).toEqual(expect.any(String));
    expect(errors).toEqual([]);
    await until(() => broker.status().storage.quota !== null, "the storage estimate");
    expect(storage.state).toBe("ok");
    // persistence as the browser decides it, and the status agrees with navigator.storage
    const granted = await broker.requestPersistence();
    expect(typeof granted).toBe("boolean");
    expect(broker.status().storage.persisted).toBe(await navigator.storage.persisted());
  });

  it("ends a held long-poll in the host when the page aborts it", async () => {
    const topic = `abort-${Math.random().toString(36).slice(2, 8)}`;
    expect((await broker.fetch("/v1/topics", json({ name: topic }))).status).toBe(201);
    await until(() => broker.status().host.inFlight === 0, "no request in flight");
    const controller = new AbortController();
    // the broker may hold this for a minute: only the abort can end it within the test's time
    const poll = broker.fetch(`/v1/topics/${topic}/partitions/0/records?offset=0&maxWaitMs=60000`, { signal: controller.signal });
    await until(() => broker.status().host.inFlight === 1, "the long-poll to be held");
    controller.abort();
    await expect(poll).rejects.toMatchObject({ name: "AbortError" });
    // inFlight counts a request until the app has returned from it, so this is the core letting go
    await until(() => broker.status().host.inFlight === 0, "the host to let go of the long-poll");
    // and the partition still serves: a record produced now is read at once
    await broker.fetch(`/v1/topics/${topic}/records`, json({ records: [{ value: "after" }] }));
    const read = await (await broker.fetch(`/v1/topics/${topic}/partitions/0/records?offset=0`)).json();
    expect(read.records.map((r: { value: string }) => r.value)).toEqual(["after"]);
  });

  it("ends a live tail in the host when the page cancels its body", async () => {
    const topic = `tail-${Math.random().toString(36).slice(2, 8)}`;
    await broker.fetch("/v1/topics", json({ name: topic }));
    await until(() => broker.status().host.inFlight === 0, "no request in flight");
    const response = await broker.fetch(`/v1/topics/${topic}/partitions/0/records?offset=0&live=sse`);
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await broker.fetch(`/v1/topics/${topic}/records`, json({ records: [{ value: "live" }] }));
    let text = "";
    while (!text.includes("live")) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/^id: 0$/m);
    await until(() => broker.status().host.inFlight === 1, "the tail to be counted");
    await reader.cancel();
    await until(() => broker.status().host.inFlight === 0, "the host to end the tail");
  });

  it("transfers request and answer bodies instead of copying them", async () => {
    // page fetch <-> app server over a MessageChannel, as between a page and its worker
    const { port1, port2 } = new MessageChannel();
    const server = createAppServer(async (request) => new Response(new Uint8Array(await request.arrayBuffer()).reverse()));
    expose(server, port2);
    let counter = 0;
    const pageFetch = createPageFetch(wrap<WireServer>(port1), () => `t:${++counter}`);
    const posted: Array<{ port: MessagePort; transfer: Transferable[] }> = [];
    const original = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, transfer?: unknown) {
      if (Array.isArray(transfer)) posted.push({ port: this, transfer });
      return Reflect.apply(original, this, [message, transfer]);
    } as typeof original;
    try {
      const body = new Uint8Array(256 * 1024).map((_, i) => i % 251);
      const answer = new Uint8Array(await (await pageFetch("http://rill.local/echo", { method: "POST", body })).arrayBuffer());
      expect(answer.length).toBe(body.length);
      expect(answer[0]).toBe(body[body.length - 1]);
      expect(body.byteLength).toBe(256 * 1024); // the caller's own bytes are left alone
      const sent = (port: MessagePort) =>
        posted.filter((p) => p.port === port).flatMap((p) => p.transfer.filter((t): t is ArrayBuffer => t instanceof ArrayBuffer));
      // each direction handed over one buffer of the body's size, now detached on the sending side
      expect(sent(port1)).toHaveLength(1);
      expect(sent(port2)).toHaveLength(1);
      for (const buffer of [...sent(port1), ...sent(port2)]) expect(buffer.byteLength).toBe(0);
    } finally {
      MessagePort.prototype.postMessage = original;
      port1.close();
      port2.close();
    }
  });
});

describe("a worker that does not start", () => {
  it("fails createBrowserBroker with a typed error instead of waiting forever", async () => {
    const opening = createBrowserBroker({
      name: `rill-missing-${Math.random().toString(36).slice(2, 8)}`,
      mode: "dedicated",
      worker: () => new Worker("/no-such-worker-script.js", { type: "module" }),
    });
    await expect(opening).rejects.toMatchObject({
      name: "RillError",
      code: "UNKNOWN_SERVER_ERROR",
      message: expect.stringMatching(/worker did not start/),
    });
  });
});
