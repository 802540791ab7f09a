// A live tail (live=sse) is one response that could stay open for weeks, and a runtime keeps a
// little per chunk of a streamed response until it ends (workerd: a promise chain, ~100 B a
// chunk). So the tail writes one chunk per fetch answer and ends after SSE_MAX_WRITES of them; the
// client resumes with Last-Event-ID and misses nothing. In-process, counted from the stream.
import { encodeBatch, encodeUtf8 } from "@rill/core";
import { createNodeBroker } from "@rill/node";
import { SSE_MAX_WRITES } from "@rill/server";
import { afterAll, describe, expect, it } from "vitest";

interface TailRead {
  ids: number[];
  /** Chunks read (in-process, each is one write of the route). */
  chunks: number;
  /** The server ended the stream (rather than the reader stopping). */
  ended: boolean;
  retry: string | undefined;
}

async function readTail(response: Response, stopAfter: number): Promise<TailRead> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const ids: number[] = [];
  let buffer = "";
  let retry: string | undefined;
  let chunks = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { ids, chunks, ended: true, retry };
    chunks++;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      retry ??= /^retry: (.*)$/m.exec(block)?.[1];
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      if (id !== undefined) ids.push(Number(id));
    }
    if (ids.length >= stopAfter) {
      await reader.cancel();
      return { ids, chunks, ended: false, retry };
    }
  }
}

describe("SSE live tail bounds", () => {
  const node = createNodeBroker();
  afterAll(() => node.close());

  it("writes an answer's records as one chunk, not one per record", async () => {
    await node.fetch("http://rill/v1/topics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "chunks", partitions: 1 }),
    });
    for (let i = 0; i < 100; i++) {
      await node.fetch("http://rill/v1/topics/chunks/records", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ records: [{ value: `v${i}` }] }),
      });
    }
    const read = await readTail(await node.fetch("http://rill/v1/topics/chunks/partitions/0/records?offset=0&live=sse"), 100);
    expect(read.ids).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(read.chunks).toBe(2); // the retry line, then one answer
  });

  it("ends after SSE_MAX_WRITES answers, and a reconnect with Last-Event-ID goes on without a gap", { timeout: 120_000 }, async () => {
    const created = await node.fetch("http://rill/v1/topics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "tail", partitions: 1 }),
    });
    expect(created.status).toBe(201);
    // one record per batch, read back one batch per answer (maxBytes=1): one write per record
    const total = SSE_MAX_WRITES + 50;
    for (let i = 0; i < total; i++) {
      const res = await node.fetch("http://rill/v1/topics/tail/partitions/0/batches", {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: encodeBatch([{ key: null, value: encodeUtf8(`v${i}`) }]) as Uint8Array<ArrayBuffer>,
      });
      expect(res.status).toBe(200);
    }
    const first = await readTail(await node.fetch("http://rill/v1/topics/tail/partitions/0/records?offset=0&live=sse&maxBytes=1"), total);
    expect(first.ended).toBe(true);
    expect(first.retry).toBe("500");
    expect(first.ids).toEqual(Array.from({ length: SSE_MAX_WRITES }, (_, i) => i));

    const last = String(first.ids[first.ids.length - 1]);
    const resumed = await readTail(
      await node.fetch("http://rill/v1/topics/tail/partitions/0/records?offset=0&live=sse", { headers: { "last-event-id": last } }),
      total - SSE_MAX_WRITES,
    );
    expect(resumed.ids).toEqual(Array.from({ length: total - SSE_MAX_WRITES }, (_, i) => SSE_MAX_WRITES + i));
  });
});
