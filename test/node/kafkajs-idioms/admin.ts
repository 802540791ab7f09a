// kafkajs admin idioms (24-32), errors and logging (33-34).
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ConfigResourceTypes,
  KafkaJSInvalidArgument,
  KafkaJSProtocolError,
  type LogEntry,
  logLevel,
  ResourcePatternTypes,
} from "@rill/kafkajs";
import { expect } from "vitest";
import { collect, type Idiom, send, text } from "./context.ts";

export const adminIdioms: Idiom[] = [
  {
    name: "24. admin: connect, createTopics (true, then false), disconnect",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      await admin.connect();
      const topic = `${ctx.group()}-created`;
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: "cleanup.policy", value: "compact" }] }],
      });
      expect(created).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic }] })).toBe(false);
      await admin.disconnect();
    },
  },
  {
    name: "25. admin: listTopics and deleteTopics",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      expect(await admin.listTopics()).toContain(topic);
      await admin.deleteTopics({ topics: [topic] });
      expect(await admin.listTopics()).not.toContain(topic);
    },
  },
  {
    name: "26. admin: createPartitions and fetchTopicMetadata",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic(1);
      await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0]?.name).toBe(topic);
      expect(topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      expect(topics[0]?.partitions[0]).toMatchObject({ partitionErrorCode: 0, leader: expect.any(Number), isr: expect.any(Array) });
    },
  },
  {
    name: "27. admin: fetchTopicOffsets and fetchTopicOffsetsByTimestamp",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      const producer = ctx.kafka.producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: [
          { value: "old", timestamp: "1000" },
          { value: "new", timestamp: "5000" },
        ],
      });
      await producer.disconnect();
      expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: "2", high: "2", low: "0" }]);
      expect(await admin.fetchTopicOffsetsByTimestamp(topic, 3000)).toEqual([{ partition: 0, offset: "1" }]);
    },
  },
  {
    name: "28. admin: fetchOffsets, setOffsets, resetOffsets({ earliest })",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic(2);
      const groupId = ctx.group();
      await send(
        ctx,
        topic,
        [0, 0, 1].map((partition) => ({ value: "v", partition })),
      );
      expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
        {
          topic,
          partitions: [
            { partition: 0, offset: "-1", metadata: null },
            { partition: 1, offset: "-1", metadata: null },
          ],
        },
      ]);
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "1" }] });
      expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset).toBe("1");
      await admin.resetOffsets({ groupId, topic });
      expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions.map((p) => p.offset)).toEqual(["2", "1"]);
      await admin.resetOffsets({ groupId, topic, earliest: true });
      expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions.map((p) => p.offset)).toEqual(["0", "0"]);
    },
  },
  {
    name: "29. admin: listGroups, describeGroups, deleteGroups",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      const groupId = ctx.group();
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "0" }] });
      const { groups } = await admin.listGroups();
      expect(groups).toContainEqual({ groupId, protocolType: "consumer" });
      const described = await admin.describeGroups([groupId]);
      expect(described.groups[0]).toMatchObject({ groupId, state: "Empty", members: [] });
      expect(await admin.deleteGroups([groupId])).toEqual([{ groupId, errorCode: 0 }]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    },
  },
  {
    name: "30. admin: describeConfigs and alterConfigs",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: "retention.ms", value: "3600000" }] }],
      });
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["retention.ms", "cleanup.policy"] }],
      });
      expect(resources[0]?.configEntries).toEqual([
        expect.objectContaining({ configName: "retention.ms", configValue: "3600000", isDefault: false }),
        expect.objectContaining({ configName: "cleanup.policy", configValue: "delete", isDefault: true }),
      ]);
    },
  },
  {
    name: "31. admin: deleteTopicRecords",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      await send(
        ctx,
        topic,
        ["a", "b", "c"].map((value) => ({ value })),
      );
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "2" }] });
      expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: "3", high: "3", low: "2" }]);
      const [only] = await collect(ctx, [topic], 1);
      expect(text(only?.message.value)).toBe("c");
    },
  },
  {
    name: "32. admin: describeCluster and ACLs",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const cluster = await admin.describeCluster();
      expect(cluster.brokers).toHaveLength(1);
      expect(cluster.controller).toBe(0);
      const principal = `User:${ctx.group()}`;
      const acl = {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: "orders",
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal,
        host: "*",
        operation: AclOperationTypes.READ,
        permissionType: AclPermissionTypes.ALLOW,
      };
      await admin.createAcls({ acl: [acl] });
      const described = await admin.describeAcls({ principal, resourceType: AclResourceTypes.TOPIC });
      expect(described.resources).toEqual([
        {
          resourceType: 2,
          resourceName: "orders",
          resourcePatternType: 3,
          acls: [expect.objectContaining({ principal, operation: 3, permissionType: 3 })],
        },
      ]);
      const deleted = await admin.deleteAcls({ filters: [{ principal }] });
      expect(deleted.filterResponses[0]?.matchingAcls).toHaveLength(1);
    },
  },
  {
    name: "33. errors: a send to a missing topic is a KafkaJSProtocolError, an unknown option a KafkaJSInvalidArgument",
    async run(ctx) {
      const producer = ctx.kafka.producer({ retry: { retries: 0 } });
      await producer.connect();
      const error = await producer.send({ topic: `${ctx.group()}-missing`, messages: [{ value: "x" }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaJSProtocolError);
      expect(error).toMatchObject({ type: "UNKNOWN_TOPIC_OR_PARTITION", retriable: false });
      await producer.disconnect();
      expect(() => ctx.kafka.consumer({ groupId: "g", sessionTimeOut: 1000 } as never)).toThrow(KafkaJSInvalidArgument);
    },
  },
  {
    name: "34. logLevel and logCreator",
    async run(ctx) {
      const entries: LogEntry[] = [];
      const kafka = ctx.kafkaWith({ logLevel: logLevel.WARN, logCreator: () => (entry) => void entries.push(entry) });
      kafka.logger().info("not shown");
      kafka.logger().warn("shown", { extra: 1 });
      expect(entries.map((e) => [e.label, e.log.message, e.log.extra])).toEqual([["WARN", "shown", 1]]);
    },
  },
];
