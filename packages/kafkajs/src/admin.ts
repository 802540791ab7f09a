// kafkajs's admin over Rill's HTTP protocol: topics, partitions, metadata, offsets (by end and by
// time), group offsets (fetch, reset, set), groups (list, describe, delete), topic configs
// (describe, alter), record deletion, the cluster, and ACLs. Offsets are strings, as in kafkajs.

import type { AclBinding, Client } from "@rill/client";
import { paths } from "@rill/protocol";
import { fromRill, toRillFilter } from "./acl-names.ts";
import { ConfigResourceTypes, ConfigSource } from "./constants.ts";
import { toGroupDescription } from "./consumer.ts";
import { KafkaJSDeleteGroupsError, KafkaJSInvalidArgument, KafkaJSNotImplemented, kafkaErrors, toKafkaJSError } from "./errors.ts";
import { ADMIN_EVENTS, createEmitter } from "./events.ts";
import type { ClientFactory } from "./kafka.ts";
import { checkKeys, offsetNumber } from "./options.ts";
import type { AclEntry, AclFilterEntry, AdminConfig, ConfigResourceEntry, GroupDescription, ITopicConfig } from "./types.ts";

function topicsOnly(resources: ConfigResourceEntry[]): void {
  for (const r of resources) {
    if (r.type !== ConfigResourceTypes.TOPIC)
      throw new KafkaJSNotImplemented(`config resources of type ${r.type}: Rill has topic configs only`);
  }
}

export function createAdmin(factory: ClientFactory, config: AdminConfig) {
  checkKeys("admin()", config, ["retry"]);
  const emitter = createEmitter("admin", ADMIN_EVENTS);
  const logger = factory.logger.namespace("Admin");
  let client: Promise<Client> | undefined;
  const rill = async () => {
    client ??= factory.client(emitter);
    return (await client).admin();
  };
  const transport = async () => {
    client ??= factory.client(emitter);
    return (await client).transport;
  };
  const run = <T>(fn: () => Promise<T>) => kafkaErrors(fn);

  return {
    events: emitter.events,
    on: emitter.on,
    logger: () => logger,
    async connect() {
      await run(async () => {
        await (await transport()).json({ method: "GET", path: "/healthz" });
      });
      emitter.emit("CONNECT");
    },
    async disconnect() {
      emitter.emit("DISCONNECT");
    },
    listTopics: () => run(async () => (await rill()).listTopics()),
    createTopics: (args: { topics: ITopicConfig[]; validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number }) =>
      run(async () => {
        checkKeys("createTopics()", args, ["topics", "validateOnly", "waitForLeaders", "timeout"]);
        if (args.validateOnly) throw new KafkaJSNotImplemented("createTopics({ validateOnly }) is not supported");
        return (await rill()).createTopics({
          topics: args.topics.map((t) => ({
            topic: t.topic,
            numPartitions: t.numPartitions === -1 ? undefined : t.numPartitions,
            replicationFactor: t.replicationFactor === -1 ? undefined : t.replicationFactor,
            configEntries: t.configEntries,
          })),
        });
      }),
    deleteTopics: (args: { topics: string[]; timeout?: number }) => run(async () => (await rill()).deleteTopics({ topics: args.topics })),
    createPartitions: (args: { topicPartitions: Array<{ topic: string; count: number }>; validateOnly?: boolean; timeout?: number }) =>
      run(async () => {
        await (await rill()).createPartitions({ topicPartitions: args.topicPartitions });
        return true;
      }),
    fetchTopicMetadata: (args: { topics?: string[] } = {}) =>
      run(async () => {
        const meta = await (await rill()).fetchTopicMetadata({ topics: args.topics });
        return {
          topics: meta.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partitionErrorCode: 0, ...p, offlineReplicas: [] as number[] })),
          })),
        };
      }),
    fetchTopicOffsets: (topic: string) =>
      run(async () =>
        (await (await rill()).fetchTopicOffsets(topic)).map((p) => ({
          partition: p.partition,
          offset: String(p.offset),
          high: String(p.high),
          low: String(p.low),
        })),
      ),
    fetchTopicOffsetsByTimestamp: (topic: string, timestamp?: number) =>
      run(async () =>
        (await (await rill()).fetchTopicOffsetsByTimestamp(topic, timestamp ?? Date.now())).map((p) => ({
          partition: p.partition,
          offset: String(p.offset),
        })),
      ),
    /** Committed offsets ("-1": none), every partition of each topic asked for. */
    fetchOffsets: (args: { groupId: string; topics?: string[]; resolveOffsets?: boolean }) =>
      run(async () => {
        const admin = await rill();
        const committed = await admin.fetchOffsets({ groupId: args.groupId, topics: args.topics });
        const topics = args.topics ?? committed.map((t) => t.topic);
        return Promise.all(
          topics.map(async (topic) => {
            const found = committed.find((t) => t.topic === topic)?.partitions ?? [];
            const all = (await admin.describeTopic(topic)).partitions.map((p) => p.partition);
            return {
              topic,
              partitions: all.map((partition) => {
                const c = found.find((f) => f.partition === partition);
                return { partition, offset: c ? String(c.offset) : "-1", metadata: c?.metadata ?? null };
              }),
            };
          }),
        );
      }),
    resetOffsets: (args: { groupId: string; topic: string; earliest?: boolean }) =>
      run(async () => {
        await (await rill()).resetOffsets({ groupId: args.groupId, topic: args.topic, to: args.earliest ? "earliest" : "latest" });
      }),
    setOffsets: (args: { groupId: string; topic: string; partitions: Array<{ partition: number; offset: string }> }) =>
      run(async () => {
        const admin = await rill();
        for (const p of args.partitions) {
          const offset = offsetNumber(p.offset);
          const to = offset === -1 ? "latest" : offset === -2 ? "earliest" : { offset };
          await admin.resetOffsets({ groupId: args.groupId, topic: args.topic, partitions: [p.partition], to });
        }
      }),
    listGroups: () =>
      run(async () => ({
        groups: (await (await rill()).listGroups()).groups.map((g) => ({ groupId: g.groupId, protocolType: "consumer" })),
      })),
    describeGroups: (groupIds: string[]) =>
      run(async () => {
        const admin = await rill();
        const groups: GroupDescription[] = [];
        for (const id of groupIds) {
          try {
            groups.push(toGroupDescription(await admin.describeGroup(id)));
          } catch (error) {
            // kafkajs describes an unknown group as a Dead one
            if ((toKafkaJSError(error) as { type?: string }).type !== "GROUP_ID_NOT_FOUND") throw error;
            groups.push({ groupId: id, members: [], protocol: "", protocolType: "consumer", state: "Dead", errorCode: 0 });
          }
        }
        return { groups };
      }),
    deleteGroups: (groupIds: string[]) =>
      run(async () => {
        const admin = await rill();
        const results = [];
        for (const groupId of groupIds) {
          try {
            await admin.deleteGroups([groupId]);
            results.push({ groupId, errorCode: 0 });
          } catch (error) {
            results.push({ groupId, errorCode: 1, error: toKafkaJSError(error) as never });
          }
        }
        const failed = results.filter((r) => r.errorCode !== 0);
        if (failed.length > 0) throw new KafkaJSDeleteGroupsError("Error in DeleteGroups", failed);
        return results;
      }),
    describeCluster: () =>
      run(async () => {
        const url = new URL((await transport()).currentBroker());
        return {
          brokers: [{ nodeId: 0, host: url.hostname, port: Number(url.port || (url.protocol === "https:" ? 443 : 80)) }],
          controller: 0,
          clusterId: "rill",
        };
      }),
    describeConfigs: (args: { resources: ConfigResourceEntry[]; includeSynonyms?: boolean }) =>
      run(async () => {
        topicsOnly(args.resources);
        const admin = await rill();
        const resources = await Promise.all(
          args.resources.map(async (r) => {
            const topic = await admin.describeTopic(r.name);
            const names = r.configNames?.length ? r.configNames : Object.keys(topic.config);
            return {
              resourceType: r.type,
              resourceName: r.name,
              errorCode: 0,
              errorMessage: null,
              configEntries: names
                .filter((name) => name in topic.config)
                .map((name) => {
                  const isDefault = !(name in (topic.overrides ?? {}));
                  return {
                    configName: name,
                    configValue: topic.config[name] as string,
                    readOnly: false,
                    isDefault,
                    configSource: isDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.TOPIC_CONFIG,
                    isSensitive: false,
                    configSynonyms: [],
                  };
                }),
            };
          }),
        );
        return { resources, throttleTime: 0 };
      }),
    /**
     * Kafka's (non-incremental) AlterConfigs: a topic's overrides become exactly the entries
     * given; overrides not named go back to their defaults.
     */
    alterConfigs: (args: {
      validateOnly?: boolean;
      resources: Array<ConfigResourceEntry & { configEntries: Array<{ name: string; value: string }> }>;
    }) =>
      run(async () => {
        topicsOnly(args.resources);
        if (args.validateOnly) throw new KafkaJSNotImplemented("alterConfigs({ validateOnly }) is not supported");
        const admin = await rill();
        for (const r of args.resources) {
          const current = await admin.describeTopic(r.name);
          const changes: Record<string, string | null> = {};
          for (const name of Object.keys(current.overrides ?? {})) changes[name] = null;
          for (const e of r.configEntries) changes[e.name] = e.value;
          await admin.alterTopicConfig(r.name, changes);
        }
        return {
          resources: args.resources.map((r) => ({ errorCode: 0, errorMessage: null, resourceType: r.type, resourceName: r.name })),
          throttleTime: 0,
        };
      }),
    /** Kafka's DeleteRecords: each partition's records before `offset` ("-1": every record) go. */
    deleteTopicRecords: (args: { topic: string; partitions: Array<{ partition: number; offset: string }> }) =>
      run(async () => {
        const admin = await rill();
        const http = await transport();
        const offsets = await admin.fetchTopicOffsets(args.topic);
        for (const p of args.partitions) {
          const high = offsets.find((o) => o.partition === p.partition);
          if (!high) throw new KafkaJSInvalidArgument(`topic ${args.topic} has no partition ${p.partition}`);
          const wanted = offsetNumber(p.offset);
          const offset = wanted === -1 ? high.high : wanted;
          await http.json({ method: "POST", path: paths.deleteRecords(args.topic, p.partition), json: { offset } });
        }
      }),
    createAcls: (args: { acl: AclEntry[] }) =>
      run(async () => {
        await (await rill()).createAcls({
          acl: args.acl.map((a) => {
            const f = toRillFilter(a);
            if (!f.resourceType || !f.operation || !f.permission || f.patternType === "match") {
              throw new KafkaJSInvalidArgument("createAcls needs a resource type, operation, permission and a literal or prefixed pattern");
            }
            return {
              ...f,
              principal: a.principal,
              resourceName: a.resourceName,
              host: a.host ?? "*",
              patternType: f.patternType ?? "literal",
            } as AclBinding;
          }),
        });
        return true;
      }),
    describeAcls: (filter: AclFilterEntry) =>
      run(async () => {
        const found = (await (await rill()).describeAcls(toRillFilter(filter))).map(fromRill);
        const byResource = new Map<string, { resourceType: number; resourceName: string; resourcePatternType: number; acls: object[] }>();
        for (const a of found) {
          const id = `${a.resourceType}\u0000${a.resourceName}\u0000${a.resourcePatternType}`;
          let r = byResource.get(id);
          if (!r)
            byResource.set(
              id,
              (r = { resourceType: a.resourceType, resourceName: a.resourceName, resourcePatternType: a.resourcePatternType, acls: [] }),
            );
          r.acls.push({ principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType });
        }
        return { throttleTime: 0, errorCode: 0, resources: [...byResource.values()] };
      }),
    deleteAcls: (args: { filters: AclFilterEntry[] }) =>
      run(async () => {
        const admin = await rill();
        const filterResponses = [];
        for (const filter of args.filters) {
          const deleted = await admin.deleteAcls({ filters: [toRillFilter(filter)] });
          filterResponses.push({
            errorCode: 0,
            errorMessage: null,
            matchingAcls: deleted.map((b) => ({ errorCode: 0, errorMessage: null, ...fromRill(b) })),
          });
        }
        return { throttleTime: 0, filterResponses };
      }),
  };
}
