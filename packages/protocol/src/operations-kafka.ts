// The Kafka-style operations: liveness and the API description, topics, records, producers,
// consumer groups and their offsets.

import { groupParam, type Operation, topicParam } from "./operation.ts";
import { ROUTES } from "./paths.ts";
import {
  addPartitionsBody,
  alterConfigBody,
  commitBody,
  createTopicBody,
  deleteRecordsBody,
  heartbeatBody,
  initProducerBody,
  produceBody,
  resetOffsetsBody,
} from "./schemas.ts";

export const kafkaOperations: Operation[] = [
  { method: "GET", route: ROUTES.health, summary: "Liveness", access: { public: true } },
  { method: "GET", route: ROUTES.openApi, summary: "This API description (OpenAPI 3.1)", access: { authenticated: true } },
  {
    method: "POST",
    route: ROUTES.topics,
    summary: "Create a topic",
    body: createTopicBody,
    access: { checks: [{ resource: "topic", operation: "create", name: { body: "name" }, orCluster: true }] },
  },
  {
    method: "GET",
    route: ROUTES.topics,
    summary: "List topics",
    access: { checks: [{ resource: "topic", operation: "describe", name: { any: true } }] },
  },
  {
    method: "GET",
    route: ROUTES.topic,
    summary: "Describe a topic: partitions with leader epoch, replicas, ISR, log start and high watermark",
    access: { checks: [{ resource: "topic", operation: "describe", name: topicParam }] },
  },
  {
    method: "DELETE",
    route: ROUTES.topic,
    summary: "Delete a topic and its data",
    access: { checks: [{ resource: "topic", operation: "delete", name: topicParam }] },
  },
  {
    method: "PATCH",
    route: ROUTES.topicConfig,
    summary: "Alter topic config overrides",
    body: alterConfigBody,
    access: { checks: [{ resource: "topic", operation: "alterConfigs", name: topicParam }] },
  },
  {
    method: "POST",
    route: ROUTES.topicPartitions,
    summary: "Grow the partition count",
    body: addPartitionsBody,
    access: { checks: [{ resource: "topic", operation: "alter", name: topicParam }] },
  },
  {
    method: "POST",
    route: ROUTES.records,
    summary: "Produce JSON records; one offset per record, in request order",
    body: produceBody,
    access: { checks: [{ resource: "topic", operation: "write", name: topicParam }] },
  },
  {
    method: "POST",
    route: ROUTES.batches,
    summary: "Produce record batches v2 as bytes (idempotent when they carry a producer id)",
    binaryBody: true,
    query: { acks: '0, 1 or "all" (default "all")' },
    access: { checks: [{ resource: "topic", operation: "write", name: topicParam }] },
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
    access: { checks: [{ resource: "topic", operation: "read", name: topicParam }] },
  },
  {
    method: "GET",
    route: ROUTES.partitionOffsets,
    summary: "List offsets: earliest, latest (high watermark), or the first at or after a time",
    query: { at: "earliest, latest or a timestamp in ms" },
    access: { checks: [{ resource: "topic", operation: "describe", name: topicParam }] },
  },
  {
    method: "POST",
    route: ROUTES.deleteRecords,
    summary: "Delete the records before an offset (Kafka's DeleteRecords: the log start moves up)",
    body: deleteRecordsBody,
    access: { checks: [{ resource: "topic", operation: "delete", name: topicParam }] },
  },
  {
    method: "POST",
    route: ROUTES.producers,
    summary: "Initialise a producer id and epoch",
    body: initProducerBody,
    access: {
      checks: [
        {
          resource: "transactionalId",
          operation: "write",
          name: { body: "transactionalId" },
          when: { body: "transactionalId", present: true },
        },
        // Kafka 3.0+ (KIP-679): an idempotent producer needs WRITE on some topic
        { resource: "topic", operation: "write", name: { any: true }, when: { body: "transactionalId", present: false } },
      ],
    },
  },
  {
    method: "GET",
    route: ROUTES.groups,
    summary: "List consumer groups with their state and member count",
    query: { internal: "true: include the broker's internal groups (ids starting with __), left out by default" },
    access: { checks: [{ resource: "group", operation: "describe", name: { any: true } }] },
  },
  {
    method: "GET",
    route: ROUTES.group,
    summary: "Describe a group: members, assignments, committed offsets and lag per partition",
    access: { checks: [{ resource: "group", operation: "describe", name: groupParam }] },
  },
  {
    method: "DELETE",
    route: ROUTES.group,
    summary: "Delete a group without members, and its committed offsets",
    access: { checks: [{ resource: "group", operation: "delete", name: groupParam }] },
  },
  {
    method: "POST",
    route: ROUTES.groupHeartbeat,
    summary: "Join, stay in or leave a group (KIP-848: the coordinator assigns); long-polls up to waitMs",
    body: heartbeatBody,
    access: {
      checks: [
        { resource: "group", operation: "read", name: groupParam },
        { resource: "topic", operation: "describe", name: { bodyEach: "topics" } },
        // a pattern may match any topic: it takes DESCRIBE on every topic
        { resource: "topic", operation: "describe", name: { fixed: "*" }, when: { body: "pattern", present: true } },
      ],
    },
  },
  {
    method: "POST",
    route: ROUTES.groupOffsets,
    summary: "Commit offsets (fenced by member epoch)",
    body: commitBody,
    access: {
      checks: [
        { resource: "group", operation: "read", name: groupParam },
        { resource: "topic", operation: "read", name: { bodyEach: "offsets", field: "topic" } },
      ],
    },
  },
  {
    method: "GET",
    route: ROUTES.groupOffsets,
    summary: "Committed offsets (the next offset to read)",
    query: { topic: "only this topic's offsets" },
    access: { checks: [{ resource: "group", operation: "describe", name: groupParam }] },
  },
  {
    method: "POST",
    route: ROUTES.groupOffsetsReset,
    summary: "Reset a group's offsets to earliest, latest, a time or an offset (groups without members only)",
    body: resetOffsetsBody,
    access: {
      checks: [
        { resource: "group", operation: "read", name: groupParam },
        { resource: "topic", operation: "read", name: { body: "topic" } },
      ],
    },
  },
];
