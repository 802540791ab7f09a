// The controller Durable Object: cluster metadata (topics, partitions, configs, producer ids) on
// its SQLite, through the core controller. One instance for the whole cluster; the Worker caches
// what it reads so the data path does not come here per request.

import { DurableObject } from "cloudflare:workers";
import {
  type Controller,
  type CreateTopicInput,
  createController,
  type ProducerIdentity,
  type Storage,
  type TopicMetadata,
} from "@rill/core";
import { createSqliteStorage } from "@rill/storage-sqlite";
import { assignmentOf, partitionStub } from "./assignment.ts";
import type { Env } from "./env.ts";
import { call, type RpcResult, serve } from "./rpc.ts";

const GROUP_REGISTRY = "group-registry";

export class ControllerObject extends DurableObject<Env> {
  private readonly controller: Controller;
  private readonly storage: Storage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = createSqliteStorage(ctx.storage);
    this.controller = createController(this.storage);
  }

  /** Tells every partition of a topic about it; partitions that cannot be reached learn on their next call. */
  private async push(topic: TopicMetadata, method: "configure" | "drop"): Promise<void> {
    await Promise.allSettled(
      topic.partitions.map((p) => call(partitionStub(this.env, topic, p.partition)[method](assignmentOf(topic, p.partition)))),
    );
  }

  createTopic(input: CreateTopicInput): Promise<RpcResult<TopicMetadata>> {
    return serve(() => this.controller.createTopic(input));
  }

  getTopic(name: string): Promise<RpcResult<TopicMetadata>> {
    return serve(() => this.controller.getTopic(name));
  }

  listTopics(): Promise<RpcResult<TopicMetadata[]>> {
    return serve(() => this.controller.listTopics());
  }

  alterConfig(name: string, changes: Record<string, string | number | boolean | null>): Promise<RpcResult<TopicMetadata>> {
    return serve(async () => {
      const topic = await this.controller.alterConfig(name, changes);
      await this.push(topic, "configure");
      return topic;
    });
  }

  addPartitions(name: string, total: number): Promise<RpcResult<TopicMetadata>> {
    return serve(() => this.controller.addPartitions(name, total));
  }

  deleteTopic(name: string): Promise<RpcResult<TopicMetadata>> {
    return serve(async () => {
      const topic = await this.controller.deleteTopic(name);
      await this.push(topic, "drop");
      return topic;
    });
  }

  /** The registry of consumer groups, for listing them (each group lives in its own object). */
  registerGroup(group: string): Promise<RpcResult<null>> {
    return serve(async () => {
      if (!(await this.storage.getDocument(GROUP_REGISTRY, group))) await this.storage.putDocument(GROUP_REGISTRY, group, 0, true);
      return null;
    });
  }

  unregisterGroup(group: string): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.storage.deleteDocument(GROUP_REGISTRY, group);
      return null;
    });
  }

  listGroups(): Promise<RpcResult<string[]>> {
    return serve(async () => (await this.storage.listDocuments(GROUP_REGISTRY)).map((d) => d.id));
  }

  initProducer(transactionalId?: string): Promise<RpcResult<ProducerIdentity>> {
    return serve(() => this.controller.initProducer(transactionalId));
  }
}
