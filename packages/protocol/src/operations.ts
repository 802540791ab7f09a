// Every operation of the protocol: method, route, what it does, and its body schema and query
// parameters. The server validates bodies with these schemas and generates /v1/openapi.json from
// this list, and a test checks the list against the routes the app really serves (both ways).

import type { z } from "zod";
import { type Access, CLUSTER } from "./access.ts";
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
import { alterQuotaBody, createAclsBody, createCredentialBody, deleteAclsBody } from "./security-schemas.ts";
import { createSubscriptionBody, updateSubscriptionBody } from "./subscription-schemas.ts";

export * from "./access.ts";
export * from "./schemas.ts";
export * from "./security-schemas.ts";
export * from "./subscription-schemas.ts";

export interface Operation {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  route: string;
  summary: string;
  /** A JSON body, validated by this schema. */
  body?: z.ZodType;
  /** A body of record batches v2 as bytes. */
  binaryBody?: boolean;
  /** Query parameters and what they mean. */
  query?: Record<string, string>;
  /** Who may call it (Kafka's ACL operation per request); enforced by the server from this list. */
  access: Access;
}

const topicParam = { path: "topic" } as const;
const groupParam = { path: "group" } as const;

export const operations: Operation[] = [
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
  {
    method: "POST",
    route: ROUTES.credentials,
    summary: "Create an API key for a principal; the key is in this answer only (several per principal, for rotation)",
    body: createCredentialBody,
    access: { checks: [{ resource: "cluster", operation: "alter", name: CLUSTER }] },
  },
  {
    method: "GET",
    route: ROUTES.credentials,
    summary: "List API keys (ids and principals, never the keys)",
    query: { principal: "only this principal's keys" },
    access: { checks: [{ resource: "cluster", operation: "describe", name: CLUSTER }] },
  },
  {
    method: "DELETE",
    route: ROUTES.credential,
    summary: "Delete a principal's API keys (or one, with keyId)",
    query: { keyId: "only this key" },
    access: { checks: [{ resource: "cluster", operation: "alter", name: CLUSTER }] },
  },
  {
    method: "POST",
    route: ROUTES.acls,
    summary: "Create ACL bindings (Kafka's CreateAcls)",
    body: createAclsBody,
    access: { checks: [{ resource: "cluster", operation: "alter", name: CLUSTER }] },
  },
  {
    method: "GET",
    route: ROUTES.acls,
    summary: "List ACL bindings matching a filter (Kafka's DescribeAcls)",
    query: {
      principal: "User:<name>",
      host: "address or *",
      resourceType: "topic, group, cluster or transactionalId",
      resourceName: "a name",
      patternType: "literal, prefixed, or match (every binding that applies to resourceName)",
      operation: "an ACL operation",
      permission: "allow or deny",
    },
    access: { checks: [{ resource: "cluster", operation: "describe", name: CLUSTER }] },
  },
  {
    method: "DELETE",
    route: ROUTES.acls,
    summary: "Delete the ACL bindings matching any of the filters; answers what was removed (Kafka's DeleteAcls)",
    body: deleteAclsBody,
    access: { checks: [{ resource: "cluster", operation: "alter", name: CLUSTER }] },
  },
  {
    method: "PUT",
    route: ROUTES.quotas,
    summary: "Set or remove produce/fetch byte-rate quotas of a user, a client id, or both (Kafka's AlterClientQuotas)",
    body: alterQuotaBody,
    access: { checks: [{ resource: "cluster", operation: "alterConfigs", name: CLUSTER }] },
  },
  {
    method: "GET",
    route: ROUTES.quotas,
    summary: "List quotas (Kafka's DescribeClientQuotas)",
    query: { user: "only this user's entries", clientId: "only this client id's entries" },
    access: { checks: [{ resource: "cluster", operation: "describeConfigs", name: CLUSTER }] },
  },
  // Push subscriptions deliver with the broker's own authority, to places outside the cluster, for
  // as long as they exist: creating or changing one takes ALTER on the cluster as well as what a
  // consumer of the group and its topics would need.
  {
    method: "POST",
    route: ROUTES.subscriptions,
    summary: "Create a push subscription: the broker consumes as a group member and delivers to a Worker or webhook",
    body: createSubscriptionBody,
    access: {
      checks: [
        { resource: "cluster", operation: "alter", name: CLUSTER },
        { resource: "group", operation: "read", name: { body: "group" } },
        { resource: "topic", operation: "read", name: { bodyEach: "topics" } },
        { resource: "topic", operation: "read", name: { fixed: "*" }, when: { body: "pattern", present: true } },
      ],
    },
  },
  {
    method: "GET",
    route: ROUTES.subscriptions,
    summary: "List push subscriptions with their state, lag and counters",
    query: { group: "only this group's subscriptions" },
    access: { checks: [{ resource: "cluster", operation: "describe", name: CLUSTER }] },
  },
  {
    method: "GET",
    route: ROUTES.subscription,
    summary: "Describe a push subscription: settings, per-partition position, lag and in-flight delivery, retries, dead-lettered",
    access: { checks: [{ resource: "group", operation: "describe", name: groupParam }] },
  },
  {
    method: "PATCH",
    route: ROUTES.subscription,
    summary: "Change a push subscription (target, batching, retries, dead-letter topic, concurrency, topics); pause and resume",
    body: updateSubscriptionBody,
    access: {
      checks: [
        { resource: "cluster", operation: "alter", name: CLUSTER },
        { resource: "group", operation: "read", name: groupParam },
        { resource: "topic", operation: "read", name: { bodyEach: "topics" } },
        { resource: "topic", operation: "read", name: { fixed: "*" }, when: { body: "pattern", present: true } },
      ],
    },
  },
  {
    method: "DELETE",
    route: ROUTES.subscription,
    summary: "Delete a push subscription (it leaves its group; committed offsets stay)",
    access: {
      checks: [
        { resource: "cluster", operation: "alter", name: CLUSTER },
        { resource: "group", operation: "read", name: groupParam },
      ],
    },
  },
  // The Durable Streams protocol (a stream is a topic of one partition with the stream's name)
  {
    method: "PUT",
    route: ROUTES.stream,
    summary: "Durable Streams: create a stream (or confirm one with the same settings); forks need a super user",
    access: { checks: [{ resource: "topic", operation: "create", name: { path: "name" }, orCluster: true }] },
  },
  {
    method: "POST",
    route: ROUTES.stream,
    summary: "Durable Streams: append (idempotent with Producer-Id/Epoch/Seq) or close",
    access: { checks: [{ resource: "topic", operation: "write", name: { path: "name" } }] },
  },
  {
    method: "GET",
    route: ROUTES.stream,
    summary: "Durable Streams: read from an offset (catch-up, live=long-poll, live=sse); HEAD for metadata",
    query: { offset: "-1, now or an offset from Stream-Next-Offset", live: "long-poll or sse", cursor: "the last Stream-Cursor" },
    access: { checks: [{ resource: "topic", operation: "read", name: { path: "name" } }] },
  },
  {
    method: "DELETE",
    route: ROUTES.stream,
    summary: "Durable Streams: delete a stream",
    access: { checks: [{ resource: "topic", operation: "delete", name: { path: "name" } }] },
  },
  // The Upstash Kafka REST API (HTTP Basic: the password is a Rill token or API key)
  {
    method: "POST",
    route: ROUTES.upstashProduce,
    summary: "Upstash: produce {topic, value, key?, partition?, timestamp?, headers?} or a list of them",
    access: { checks: [{ resource: "topic", operation: "write", name: { bodyItems: "topic" } }] },
  },
  {
    method: "POST",
    route: ROUTES.upstashProduceTopic,
    summary: "Upstash: produce {value, ...} or a list of them to the topic",
    access: { checks: [{ resource: "topic", operation: "write", name: topicParam }] },
  },
  {
    method: "POST",
    route: ROUTES.upstashProduceMessage,
    summary: "Upstash: produce the message in the path",
    access: { checks: [{ resource: "topic", operation: "write", name: topicParam }] },
  },
  {
    method: "POST",
    route: ROUTES.upstashWebhook,
    summary: "Upstash: produce the request body as one message",
    query: { topic: "the topic", key: "the message key", partition: "the partition" },
    access: { checks: [{ resource: "topic", operation: "write", name: { query: "topic" } }] },
  },
  {
    method: "POST",
    route: ROUTES.upstashFetch,
    summary: "Upstash: fetch {topic, partition, offset} or {topicPartitionOffsets}, waiting up to timeout ms",
    access: {
      checks: [
        { resource: "topic", operation: "read", name: { bodyItems: "topic" } },
        { resource: "topic", operation: "read", name: { bodyEach: "topicPartitionOffsets", field: "topic" } },
      ],
    },
  },
  {
    method: "POST",
    route: ROUTES.upstashConsume,
    summary: "Upstash: consume {topic} or {topics} as the group's instance (a static member)",
    access: {
      checks: [
        { resource: "group", operation: "read", name: groupParam },
        { resource: "topic", operation: "read", name: { bodyItems: "topic" } },
        { resource: "topic", operation: "read", name: { bodyEach: "topics" } },
      ],
    },
  },
  {
    method: "POST",
    route: ROUTES.upstashCommit,
    summary: "Upstash: commit {topic, partition, offset} or a list; no body commits the instance's positions",
    access: {
      checks: [
        { resource: "group", operation: "read", name: groupParam },
        { resource: "topic", operation: "read", name: { bodyItems: "topic" } },
      ],
    },
  },
  {
    method: "POST",
    route: ROUTES.upstashCommitted,
    summary: "Upstash: the group's committed offsets of [{topic, partition}]",
    access: {
      checks: [
        { resource: "group", operation: "describe", name: groupParam },
        { resource: "topic", operation: "describe", name: { bodyItems: "topic" } },
      ],
    },
  },
  {
    method: "POST",
    route: ROUTES.upstashOffsets,
    summary: "Upstash: offsets of [{topic, partition}] at a time (ms), earliest or latest",
    access: { checks: [{ resource: "topic", operation: "describe", name: { bodyItems: "topic" } }] },
  },
  {
    method: "GET",
    route: ROUTES.upstashTopics,
    summary: "Upstash: every topic and its partition count",
    access: { checks: [{ resource: "cluster", operation: "describe", name: CLUSTER }] },
  },
  {
    method: "GET",
    route: ROUTES.upstashConsumers,
    summary: "Upstash: groups, their instances and assignments",
    access: { checks: [{ resource: "cluster", operation: "describe", name: CLUSTER }] },
  },
  {
    method: "POST",
    route: ROUTES.upstashDeleteConsumer,
    summary: "Upstash: the instance leaves its group",
    access: { checks: [{ resource: "group", operation: "read", name: groupParam }] },
  },
];
