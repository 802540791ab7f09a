// Producing.
//   POST /v1/topics/:topic/records               JSON {records: [{key, value, headers, partition, timestamp}], acks, encoding}
//        -> {offsets: [{partition, offset}]}, one per record in request order (offset null under acks=0)
//   POST /v1/topics/:topic/partitions/:p/batches  application/octet-stream: one or more record batches v2
//        (?acks=) -> {baseOffset, lastOffset, batches: [{baseOffset, lastOffset, duplicate}], logAppendTime, logStartOffset}
// Every record is checked and encoded before anything is appended, so bad input changes nothing.

import {
  type AppendResult,
  concatBytes,
  createStickyPartitioner,
  encodeRecordsInBatches,
  partitionForKey,
  type RecordInput,
  RillError,
  resolveTopicConfig,
  type StickyPartitioner,
  type TopicMetadata,
} from "@rill/core";
import { BATCHES_MEDIA_TYPE, OCTET_STREAM_MEDIA_TYPE } from "@rill/protocol";
import { produceBody } from "@rill/protocol/operations";
import { type Context, Hono } from "hono";
import type { Acks, Broker, PartitionRef } from "../broker.ts";
import { errorBody } from "../http-errors.ts";
import { toRecordInputs } from "../records-json.ts";
import { intParam, invalid, jsonBody, requireContentType } from "../request.ts";

export function parseAcks(value: string | number | undefined): Acks {
  if (value === undefined) return -1;
  if (value === "all" || value === -1 || value === "-1") return -1;
  if (value === 1 || value === "1") return 1;
  if (value === 0 || value === "0") return 0;
  throw new RillError("INVALID_REQUIRED_ACKS", `acks must be 0, 1 or "all", got ${JSON.stringify(value)}`);
}

export function partitionRef(topic: TopicMetadata, partition: number): PartitionRef {
  if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitions.length) {
    throw new RillError(
      "UNKNOWN_TOPIC_OR_PARTITION",
      `topic ${topic.name} has no partition ${partition} (it has ${topic.partitions.length})`,
    );
  }
  return { topic, partition };
}

/** Lets acks=0 work finish after the answer: ctx.waitUntil in Workers, a detached promise elsewhere. */
function keepAlive(c: Context, work: Promise<unknown>): void {
  const settled = work.catch(() => undefined);
  try {
    c.executionCtx.waitUntil(settled);
  } catch {
    // no execution context outside Workers: the process outlives the promise
  }
}

// KIP-480: keyless records of one request stick to one partition; the topic's next request moves on.
const sticky = new Map<string, StickyPartitioner>();
function stickyFor(topic: string): StickyPartitioner {
  let partitioner = sticky.get(topic);
  if (!partitioner) {
    if (sticky.size > 10_000) sticky.clear(); // bounded: a partitioner is only a counter
    sticky.set(topic, (partitioner = createStickyPartitioner()));
  }
  return partitioner;
}

function choosePartition(topic: TopicMetadata, record: RecordInput, explicit: number | undefined, keyless: number): number {
  if (explicit !== undefined) return partitionRef(topic, explicit).partition;
  if (record.key) return partitionForKey(record.key, topic.partitions.length);
  return keyless;
}

export function produceRoutes(broker: Broker): Hono {
  const app = new Hono();

  app.post("/:topic/records", async (c) => {
    const body = await jsonBody(c, produceBody);
    const acks = parseAcks(body.acks);
    const topic = await broker.topic(c.req.param("topic"));
    const config = resolveTopicConfig(topic.config);
    const keyless = stickyFor(topic.name).current(topic.partitions.length);
    stickyFor(topic.name).next();
    const groups = new Map<number, { indexes: number[]; records: RecordInput[] }>();
    const placement: number[] = [];
    const inputs = toRecordInputs(body.records, body.encoding ?? "utf8");
    body.records.forEach((raw, i) => {
      const record = inputs[i] as RecordInput;
      const partition = choosePartition(topic, record, raw.partition, keyless);
      placement.push(partition);
      let group = groups.get(partition);
      if (!group) groups.set(partition, (group = { indexes: [], records: [] }));
      group.indexes.push(i);
      group.records.push(record);
    });
    if (config["cleanup.policy"] !== "delete" && body.records.some((r) => r.key == null)) {
      throw new RillError("INVALID_RECORD", `topic ${topic.name} is compacted: every record needs a key`);
    }
    const now = Date.now();
    const encoded = [...groups].map(([partition, group]) => ({
      partition,
      group,
      bytes: concatBytes(
        encodeRecordsInBatches(group.records, { maxBatchBytes: config["max.message.bytes"], compression: "none", now }).map((b) => b.bytes),
      ),
    }));
    const work = encoded.map(async (e) => ({
      ...e,
      result: await broker.append({ topic, partition: e.partition }, e.bytes, acks, { encoded: true }),
    }));
    if (acks === 0) {
      keepAlive(c, Promise.allSettled(work));
      return c.json({ offsets: placement.map((partition) => ({ partition, offset: null })) }, 202);
    }
    const settled = await Promise.allSettled(work);
    const offsets: Array<{ partition: number; offset: number | null; error?: unknown }> = placement.map((partition) => ({
      partition,
      offset: null,
    }));
    let firstError: unknown;
    settled.forEach((outcome, i) => {
      const { group } = encoded[i] as (typeof encoded)[number];
      if (outcome.status === "fulfilled") {
        const base = outcome.value.result.batches[0]?.baseOffset ?? 0;
        group.indexes.forEach((index, n) => {
          (offsets[index] as (typeof offsets)[number]).offset = base + n;
        });
      } else {
        firstError ??= outcome.reason;
        const error = outcome.reason instanceof RillError ? errorBody(outcome.reason).error : { code: "UNKNOWN_SERVER_ERROR" };
        for (const index of group.indexes) (offsets[index] as (typeof offsets)[number]).error = error;
      }
    });
    if (firstError) {
      // partitions that did succeed keep their offsets in the answer, so a caller knows what landed
      if (settled.every((s) => s.status === "rejected")) throw firstError;
      const failure = firstError instanceof RillError ? firstError : new RillError("UNKNOWN_SERVER_ERROR", String(firstError));
      return c.json({ ...errorBody(failure), offsets }, failure.status as 500);
    }
    return c.json({ offsets });
  });

  app.post("/:topic/partitions/:partition/batches", async (c) => {
    requireContentType(c, OCTET_STREAM_MEDIA_TYPE, BATCHES_MEDIA_TYPE);
    const acks = parseAcks(c.req.query("acks"));
    const topic = await broker.topic(c.req.param("topic"));
    const ref = partitionRef(topic, intParam(c.req.param("partition"), "partition"));
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw invalid("the body holds no record batch");
    const result: AppendResult | null = acks === 0 ? null : await broker.append(ref, bytes, acks);
    if (!result) {
      keepAlive(c, broker.append(ref, bytes, acks));
      return c.json({ accepted: true }, 202);
    }
    const first = result.batches[0];
    const last = result.batches[result.batches.length - 1];
    return c.json({
      baseOffset: first?.baseOffset ?? -1,
      lastOffset: last?.lastOffset ?? -1,
      batches: result.batches,
      logAppendTime: result.logAppendTime,
      logStartOffset: result.logStartOffset,
    });
  });

  return app;
}
