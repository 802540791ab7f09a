// Cost per million records at the edge: the partition object's own counters (debugMetrics over
// Miniflare's binding: Durable Object requests, SQLite rowsWritten / rowsRead from the SQL cursors)
// around a produce run and a catch-up read, at 1, 100 and 1000 records per request, priced with
// Cloudflare's published rates beside what Cloudflare Queues would charge for the same records.
import { decodeBatches, encodeBatch } from "@rill/core";
import { BATCHES_MEDIA_TYPE, HIGH_WATERMARK_HEADER, NEXT_OFFSET_HEADER } from "@rill/protocol";
import { request, send } from "./peers/http.ts";
import type { EdgeMetrics, MiniflareEdge } from "./peers/rill-edge.ts";

/**
 * Published rates, USD, Workers Paid plan, beyond what the plan includes. Durable Objects:
 * developers.cloudflare.com/durable-objects/platform/pricing/ (requests; SQLite storage rows, the
 * same rates as D1's). Queues: developers.cloudflare.com/queues/platform/pricing/ (an operation
 * per 64 KB written, read or deleted; a delivered message is a write, a read and a delete).
 * Looked up 2026-12-02; see BENCHMARKS.md.
 */
export const RATES = {
  doRequestPerMillion: 0.15,
  rowsWrittenPerMillion: 1.0,
  rowsReadPerMillion: 0.001,
  queueOperationPerMillion: 0.4,
} as const;

export interface CostFigure {
  perRequest: number;
  records: number;
  /** Per million records produced (acks=all, binary batches), then read back once. */
  produce: { httpRequests: number; doRequests: number; rowsWritten: number; rowsRead: number };
  consume: { httpRequests: number; doRequests: number; rowsWritten: number; rowsRead: number };
  /** USD per million records produced and consumed once, Durable Objects (requests + rows; duration not counted). */
  doUsd: number;
  /** USD per million 100-byte messages through Cloudflare Queues (write + read + delete). */
  queuesUsd: number;
}

const diff = (a: EdgeMetrics, b: EdgeMetrics) => ({
  requests: b.requests - a.requests,
  rowsRead: b.rowsRead - a.rowsRead,
  rowsWritten: b.rowsWritten - a.rowsWritten,
});
const perMillion = (n: number, records: number) => (n * 1e6) / records;

export async function measureCost(
  edge: MiniflareEdge,
  options: { requests: (perRequest: number) => number; log: (line: string) => void },
): Promise<CostFigure[]> {
  const figures: CostFigure[] = [];
  const run = Math.random().toString(36).slice(2, 7);
  for (const perRequest of [1, 100, 1000]) {
    const topic = `cost${run}x${perRequest}`;
    await send(`${edge.url}/v1/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: topic, partitions: 1 }),
    });
    const { topicId } = (await (await request(`${edge.url}/v1/topics/${topic}`)).json()) as { topicId: string };
    // the object exists once its first request came; counting starts after that one
    const value = new TextEncoder().encode("x".repeat(100));
    const batch = encodeBatch(Array.from({ length: perRequest }, () => ({ value })));
    const url = `${edge.url}/v1/topics/${topic}/partitions/0/batches?acks=all`;
    await send(url, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: batch });
    const requests = options.requests(perRequest);
    options.log(`cost ${perRequest} records/request: ${requests} produce requests`);
    const m0 = await edge.metrics(topicId, 0);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < requests) {
          next++;
          await send(url, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: batch });
        }
      }),
    );
    const m1 = await edge.metrics(topicId, 0);
    // a consumer reading it all back, in the client's default 1 MiB fetches
    let offset = 0;
    let fetches = 0;
    let read = 0;
    for (;;) {
      const res = await request(`${edge.url}/v1/topics/${topic}/partitions/0/records?offset=${offset}&maxBytes=1048576`, {
        headers: { accept: BATCHES_MEDIA_TYPE },
      });
      fetches++;
      read += decodeBatches([new Uint8Array(await res.arrayBuffer())]).filter((r) => r.offset >= offset).length;
      offset = Number(res.headers.get(NEXT_OFFSET_HEADER));
      if (offset >= Number(res.headers.get(HIGH_WATERMARK_HEADER))) break;
    }
    const m2 = await edge.metrics(topicId, 0);
    const records = requests * perRequest;
    const p = diff(m0, m1);
    const c = diff(m1, m2);
    const produce = {
      httpRequests: perMillion(requests, records),
      doRequests: perMillion(p.requests, records),
      rowsWritten: perMillion(p.rowsWritten, records),
      rowsRead: perMillion(p.rowsRead, records),
    };
    const consume = {
      httpRequests: perMillion(fetches, read),
      doRequests: perMillion(c.requests, read),
      rowsWritten: perMillion(c.rowsWritten, read),
      rowsRead: perMillion(c.rowsRead, read),
    };
    const usd = (x: typeof produce) =>
      (x.doRequests / 1e6) * RATES.doRequestPerMillion +
      (x.rowsWritten / 1e6) * RATES.rowsWrittenPerMillion +
      (x.rowsRead / 1e6) * RATES.rowsReadPerMillion;
    figures.push({
      perRequest,
      records,
      produce,
      consume,
      doUsd: usd(produce) + usd(consume),
      queuesUsd: 3 * RATES.queueOperationPerMillion,
    });
  }
  return figures;
}
