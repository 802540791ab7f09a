// After UNKNOWN_PRODUCER_ID the uploader looks on the edge for batches of its own that landed
// unheard, and starts the new epoch after them; a batch under our identity whose records are not
// ours (an id given out again by a fresh edge) is not taken for ours.
import { concatBytes, encodeBatch, restampProducer } from "@rill/core";
import { describe, expect, it } from "vitest";
import type { Edge } from "../src/edge.ts";
import { createStatusHub } from "../src/status-hub.ts";
import { createUploadIdentity } from "../src/upload-identity.ts";
import { createUploadStore } from "../src/upload-store.ts";
import { createLocalSide, createTopic, produceLocal } from "./harness.ts";

async function setup(edgeBatches: (local: Uint8Array[]) => Uint8Array[]) {
  const local = createLocalSide(undefined, ["outbox"]);
  await createTopic(local.fetch, "", "outbox", 1);
  await produceLocal(local, "outbox", { producer: 0, from: 0, count: 12, perRequest: 3, partitions: 1 });
  const topic = await local.broker.topic("outbox");
  const read = await local.broker.fetch({ topic, partition: 0 }, { offset: 0, maxBytes: 1 << 20, minBytes: 1, maxWaitMs: 0 });
  const stamped = read.batches.map((b) => restampProducer(b.bytes, { producerId: 7, producerEpoch: 2, baseSequence: b.baseOffset }));
  const onEdge = edgeBatches(stamped);
  let inits = 0;
  const edge: Edge = {
    describeTopic: async () => ({ name: "orders", topicId: "t1", partitions: [{ partition: 0, logStartOffset: 0, highWatermark: 100 }] }),
    initProducer: async () => ({ producerId: 7, producerEpoch: 3 + inits++ }),
    produceBatch: async () => {
      throw new Error("not used");
    },
    fetchBatches: async () => ({ bytes: concatBytes(onEdge), nextOffset: 100, highWatermark: 100, logStartOffset: 0 }),
  };
  const store = createUploadStore(local.storage, "upload/outbox/0");
  await store.replace({
    edgeTopic: "orders",
    edgeTopicId: "t1",
    localTopicId: topic.topicId,
    transactionalId: "x",
    producerId: 7,
    producerEpoch: 2,
    epochBase: 0,
    acked: 3,
    lastEdgeOffset: 2,
  });
  const identity = createUploadIdentity({
    broker: local.broker,
    edge,
    store,
    hub: createStatusHub(Date.now),
    local: "outbox",
    edgeTopic: "orders",
    partition: 0,
    transactionalId: "x",
    signal: new AbortController().signal,
    maxBackoffMs: 10,
    warn: () => undefined,
  });
  await identity.ensure(topic.topicId, 0);
  return { identity, stamped };
}

describe("upload identity recovery", () => {
  it("skips our batches that already landed and starts the new epoch after them", async () => {
    const { identity } = await setup((ours) => ours.slice(0, 3));
    const doc = await identity.recover({ cursor: 3, lastEdgeOffset: 2, scan: true });
    expect(doc).toMatchObject({ producerEpoch: 3, epochBase: 9, acked: 9 });
  });

  it("does not skip a batch under our identity that carries other records", async () => {
    const other = ["x", "y", "z"].map((v) => ({ key: null, value: new TextEncoder().encode(v) }));
    const { identity } = await setup((ours) => [
      ours[0] as Uint8Array,
      encodeBatch(other, { producerId: 7, producerEpoch: 2, baseSequence: 3 }),
    ]);
    const doc = await identity.recover({ cursor: 3, lastEdgeOffset: 2, scan: true });
    expect(doc).toMatchObject({ producerEpoch: 3, epochBase: 3, acked: 3 });
  });
});
