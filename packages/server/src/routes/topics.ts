// Topic admin.
//   POST   /v1/topics                      {name, partitions, replicationFactor, config} -> 201 topic
//   GET    /v1/topics                      -> {topics: [{name, partitions, replicationFactor}]}
//   GET    /v1/topics/:topic               -> topic with per-partition offsets, and resolved config
//   PATCH  /v1/topics/:topic/config        {config: {key: value | null}} -> topic
//   POST   /v1/topics/:topic/partitions    {count} -> topic (+ warning: keyed records move)
//   DELETE /v1/topics/:topic               -> {deleted}

import { resolveTopicConfig, type TopicMetadata, topicConfigToStrings } from "@rill/core";
import { addPartitionsBody, alterConfigBody, createTopicBody } from "@rill/protocol/operations";
import { Hono } from "hono";
import type { Broker } from "../broker.ts";
import { jsonBody } from "../request.ts";

export function summary(t: TopicMetadata) {
  return { name: t.name, topicId: t.topicId, partitions: t.partitions.length, replicationFactor: t.replicationFactor };
}

export async function describeTopic(broker: Broker, t: TopicMetadata) {
  const partitions = await Promise.all(
    t.partitions.map(async (p) => {
      const state = await broker.partitionState({ topic: t, partition: p.partition });
      return {
        partition: p.partition,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicas,
        isr: p.isr,
        logStartOffset: state.logStartOffset,
        highWatermark: state.highWatermark,
        sizeInBytes: state.sizeInBytes,
      };
    }),
  );
  return {
    ...summary(t),
    partitions,
    config: topicConfigToStrings(resolveTopicConfig(t.config)),
    overrides: topicConfigToStrings(t.config),
  };
}

export function topicRoutes(broker: Broker): Hono {
  const app = new Hono();

  app.post("/", async (c) => {
    const body = await jsonBody(c, createTopicBody);
    const topic = await broker.createTopic(body);
    return c.json(await describeTopic(broker, topic), 201);
  });

  app.get("/", async (c) => c.json({ topics: (await broker.listTopics()).map(summary) }));

  app.get("/:topic", async (c) => c.json(await describeTopic(broker, await broker.topic(c.req.param("topic"), { fresh: true }))));

  app.patch("/:topic/config", async (c) => {
    const body = await jsonBody(c, alterConfigBody);
    const topic = await broker.alterConfig(c.req.param("topic"), body.config);
    return c.json(await describeTopic(broker, topic));
  });

  app.post("/:topic/partitions", async (c) => {
    const body = await jsonBody(c, addPartitionsBody);
    const before = await broker.topic(c.req.param("topic"));
    const topic = await broker.addPartitions(before.name, body.count);
    const warning = `keyed records now map to ${topic.partitions.length} partitions instead of ${before.partitions.length}; new records with an existing key may land on a different partition than its older records`;
    return c.json({ ...(await describeTopic(broker, topic)), warning });
  });

  app.delete("/:topic", async (c) => {
    const name = c.req.param("topic");
    await broker.deleteTopic(name);
    return c.json({ deleted: name });
  });

  return app;
}
