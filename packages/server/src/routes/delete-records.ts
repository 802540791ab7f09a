// Deleting records (Kafka's DeleteRecords, kafkajs's admin.deleteTopicRecords).
//   POST /v1/topics/:topic/partitions/:p/delete-records  {offset} -> {logStartOffset}
// The log start moves up to `offset` (at most the high watermark; -1 in kafkajs means the high
// watermark, which the client resolves). Only the leader's log moves; followers keep their head
// until retention reaches it, which a read from a follower (KIP-392) could still show.

import { RillError } from "@rill/core";
import { deleteRecordsBody } from "@rill/protocol/operations";
import { Hono } from "hono";
import type { Broker } from "../broker.ts";
import { intParam, jsonBody } from "../request.ts";
import { partitionRef } from "./produce.ts";

export function deleteRecordsRoutes(broker: Broker): Hono {
  const app = new Hono();
  app.post("/:topic/partitions/:partition/delete-records", async (c) => {
    const body = await jsonBody(c, deleteRecordsBody);
    const topic = await broker.topic(c.req.param("topic"));
    const ref = partitionRef(topic, intParam(c.req.param("partition"), "partition"));
    if (!broker.deleteRecords) throw new RillError("INVALID_REQUEST", "this broker cannot delete records");
    return c.json({ logStartOffset: await broker.deleteRecords(ref, body.offset) });
  });
  return app;
}
