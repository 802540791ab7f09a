// Every operation of the protocol: method, route, what it does, and its body schema and query
// parameters. The server validates bodies with these schemas and generates /v1/openapi.json from
// this list, and a test checks the list against the routes the app really serves (both ways).

import type { z } from "zod";
import { ROUTES } from "./paths.ts";
import {
  addPartitionsBody,
  alterConfigBody,
  commitBody,
  createTopicBody,
  heartbeatBody,
  initProducerBody,
  produceBody,
  resetOffsetsBody,
} from "./schemas.ts";

export * from "./schemas.ts";

export interface Operation {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  route: string;
  summary: string;
  /** A JSON body, validated by this schema. */
  body?: z.ZodType;
  /** A body of record batches v2 as bytes. */
  binaryBody?: boolean;
  /** Query parameters and what they mean. */
  query?: Record<string, string>;
}

export const operations: Operation[] = [
  { method: "GET", route: ROUTES.health, summary: "Liveness" },
  { method: "GET", route: ROUTES.openApi, summary: "This API description (OpenAPI 3.1)" },
  { method: "POST", route: ROUTES.topics, summary: "Create a topic", body: createTopicBody },
  { method: "GET", route: ROUTES.topics, summary: "List topics" },
  {
    method: "GET",
    route: ROUTES.topic,
    summary: "Describe a topic: partitions with leader epoch, replicas, ISR, log start and high watermark",
  },
  { method: "DELETE", route: ROUTES.topic, summary: "Delete a topic and its data" },
  { method: "PATCH", route: ROUTES.topicConfig, summary: "Alter topic config overrides", body: alterConfigBody },
  { method: "POST", route: ROUTES.topicPartitions, summary: "Grow the partition count", body: addPartitionsBody },
  { method: "POST", route: ROUTES.records, summary: "Produce JSON records; one offset per record, in request order", body: produceBody },
  {
    method: "POST",
    route: ROUTES.batches,
    summary: "Produce record batches v2 as bytes (idempotent when they carry a producer id)",
    binaryBody: true,
    query: { acks: '0, 1 or "all" (default "all")' },
  },
  {
    method: "GET",
    route: ROUTES.partitionRecords,
    summary: "Fetch from an offset; long-polls up to maxWaitMs; live=sse streams, live=ws upgrades (edge only)",
    query: {
      offset: 'number, "earliest" or "latest"',
      maxBytes: "largest answer (default 1 MiB; one batch is always returned whole)",
      minBytes: "wait until this many bytes are readable (default 1)",
      maxWaitMs: "longest wait for minBytes (default 0, at most 60000)",
      encoding: "utf8 (default) or base64",
      format: "json (default) or binary (stored batch bytes; or Accept: application/vnd.rill.batches)",
      live: "sse: stream records as server-sent events; ws: a WebSocket tail (edge broker)",
      replica: "read from this in-sync replica instead of the leader (KIP-392)",
    },
  },
  {
    method: "GET",
    route: ROUTES.partitionOffsets,
    summary: "List offsets: earliest, latest (high watermark), or the first at or after a time",
    query: { at: "earliest, latest or a timestamp in ms" },
  },
  { method: "POST", route: ROUTES.producers, summary: "Initialise a producer id and epoch", body: initProducerBody },
  { method: "GET", route: ROUTES.groups, summary: "List consumer groups with their state and member count" },
  { method: "GET", route: ROUTES.group, summary: "Describe a group: members, assignments, committed offsets and lag per partition" },
  { method: "DELETE", route: ROUTES.group, summary: "Delete a group without members, and its committed offsets" },
  {
    method: "POST",
    route: ROUTES.groupHeartbeat,
    summary: "Join, stay in or leave a group (KIP-848: the coordinator assigns); long-polls up to waitMs",
    body: heartbeatBody,
  },
  { method: "POST", route: ROUTES.groupOffsets, summary: "Commit offsets (fenced by member epoch)", body: commitBody },
  {
    method: "GET",
    route: ROUTES.groupOffsets,
    summary: "Committed offsets (the next offset to read)",
    query: { topic: "only this topic's offsets" },
  },
  {
    method: "POST",
    route: ROUTES.groupOffsetsReset,
    summary: "Reset a group's offsets to earliest, latest, a time or an offset (groups without members only)",
    body: resetOffsetsBody,
  },
];
