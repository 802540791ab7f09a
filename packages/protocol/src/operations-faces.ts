// The compatibility faces over the same engine: the Durable Streams protocol and the Upstash
// Kafka REST API.

import { CLUSTER, groupParam, type Operation, topicParam } from "./operation.ts";
import { ROUTES } from "./paths.ts";

export const faceOperations: Operation[] = [
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
