// WebSocket live tails at the edge: backlog on connect, then every record as it is committed.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";
import { protocolClient } from "../protocol/suite.ts";

const api = protocolClient({ name: "workerd", fetch: (path, init) => SELF.fetch(`http://rill.local${path}`, init) });

describe("WebSocket live tail", () => {
  it("sends the backlog, then records as they are produced", async () => {
    const topic = uniqueTopic();
    await api.json("POST", "/v1/topics", { name: topic, partitions: 1, replicationFactor: 2 });
    await api.produce(topic, [{ key: "k", value: "old" }]);
    const res = await SELF.fetch(`http://rill.local/v1/topics/${topic}/partitions/0/records?offset=0&live=ws`, {
      headers: { upgrade: "websocket" },
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket as WebSocket;
    ws.accept();
    const seen: Array<{ offset: number; value: string }> = [];
    const done = new Promise<void>((resolve) => {
      ws.addEventListener("message", (event) => {
        if (event.data === "pong") return;
        for (const r of JSON.parse(event.data as string).records) seen.push({ offset: r.offset, value: r.value });
        if (seen.length >= 3) resolve();
      });
    });
    await api.produce(topic, [{ value: "new-1" }, { value: "new-2" }], { acks: "all" });
    await done;
    expect(seen).toEqual([
      { offset: 0, value: "old" },
      { offset: 1, value: "new-1" },
      { offset: 2, value: "new-2" },
    ]);
    ws.close(1000, "done");
  });

  it("refuses live=ws without an upgrade", async () => {
    const topic = uniqueTopic();
    await api.createTopic(topic);
    const res = await api.fetchRecords(topic, 0, "offset=0&live=ws");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_REQUEST");
  });
});
