// The controller Durable Object: cluster metadata (topics, partitions, configs, producer ids) on
// its SQLite, through the core controller. One instance for the whole cluster; the Worker caches
// what it reads so the data path does not come here per request.

import { DurableObject } from "cloudflare:workers";
import {
  type AclBinding,
  type AclFilter,
  type Controller,
  type CreateTopicInput,
  type CredentialRecord,
  createController,
  createSecurityMetadata,
  type PartitionMetadata,
  type ProducerIdentity,
  type QuotaChanges,
  type QuotaEntity,
  type QuotaEntry,
  type SecurityMetadata,
  type SecuritySnapshot,
  type Storage,
  type TopicMetadata,
} from "@rill/core";
import { createSqliteStorage } from "@rill/storage-sqlite";
import { assignmentOf, replicaStub } from "./assignment.ts";
import type { Env } from "./env.ts";
import { call, type RpcResult, serve } from "./rpc.ts";

const GROUP_REGISTRY = "group-registry";
const PING_TIMEOUT_MS = 1000;

export class ControllerObject extends DurableObject<Env> {
  private readonly controller: Controller;
  private readonly storage: Storage;
  private readonly security: SecurityMetadata;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = createSqliteStorage(ctx.storage);
    this.controller = createController(this.storage);
    this.security = createSecurityMetadata(this.storage);
  }

  /** Tells every replica of a topic about it; replicas that cannot be reached learn on their next call. */
  private async push(topic: TopicMetadata, method: "configure" | "drop", only?: number): Promise<void> {
    await Promise.allSettled(
      topic.partitions
        .filter((p) => only === undefined || p.partition === only)
        .flatMap((p) =>
          p.replicas.map((r) => call(replicaStub(this.env, topic.topicId, p.partition, r)[method](assignmentOf(topic, p.partition, r)))),
        ),
    );
  }

  /** Whether a replica answers within a short time (injected faults make it look dead). */
  private async alive(topic: TopicMetadata, partition: number, replica: number): Promise<boolean> {
    const ping = call(replicaStub(this.env, topic.topicId, partition, replica).ping()).then(() => true);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PING_TIMEOUT_MS));
    return Promise.race([ping, timeout]).catch(() => false);
  }

  createTopic(input: CreateTopicInput): Promise<RpcResult<TopicMetadata>> {
    return serve(async () => {
      const topic = await this.controller.createTopic(input);
      if (topic.replicationFactor > 1) await this.push(topic, "configure");
      return topic;
    });
  }

  /** A leader shrinking or growing its ISR (refused if its epoch is stale); every replica is told. */
  alterIsr(name: string, partition: number, leaderEpoch: number, isr: number[]): Promise<RpcResult<PartitionMetadata>> {
    return serve(async () => {
      const meta = await this.controller.alterIsr(name, partition, leaderEpoch, isr);
      this.ctx.waitUntil(this.controller.getTopic(name).then((t) => this.push(t, "configure", partition)));
      return meta;
    });
  }

  /**
   * Someone could not reach a partition's leader. If it really does not answer, elect another from
   * the ISR and tell every replica; the new epoch fences the old leader.
   */
  reportLeaderFailure(name: string, partition: number, leaderEpoch: number): Promise<RpcResult<TopicMetadata>> {
    return serve(async () => {
      const topic = await this.controller.getTopic(name);
      const p = topic.partitions[partition];
      if (!p || p.leaderEpoch !== leaderEpoch) return topic; // already handled
      if (p.leader >= 0 && (await this.alive(topic, partition, p.leader))) return topic;
      const elected = await this.controller.electLeader(name, partition, p.leader, (r) => this.alive(topic, partition, r));
      await this.push(elected, "configure", partition);
      return elected;
    });
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

  // ---- security metadata (ACLs, quotas, API key hashes): read through the Worker's cache ----

  securitySnapshot(): Promise<RpcResult<SecuritySnapshot>> {
    return serve(() => this.security.snapshot());
  }

  createAcls(bindings: AclBinding[]): Promise<RpcResult<AclBinding[]>> {
    return serve(() => this.security.createAcls(bindings));
  }

  deleteAcls(filters: AclFilter[]): Promise<RpcResult<AclBinding[]>> {
    return serve(() => this.security.deleteAcls(filters));
  }

  alterQuota(entity: QuotaEntity, changes: QuotaChanges): Promise<RpcResult<QuotaEntry | null>> {
    return serve(() => this.security.alterQuota(entity, changes));
  }

  addCredential(record: CredentialRecord): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.security.addCredential(record);
      return null;
    });
  }

  getCredential(keyId: string): Promise<RpcResult<CredentialRecord | null>> {
    return serve(() => this.security.getCredential(keyId));
  }

  listCredentials(): Promise<RpcResult<CredentialRecord[]>> {
    return serve(() => this.security.listCredentials());
  }

  deleteCredentials(principal: string, keyId?: string): Promise<RpcResult<CredentialRecord[]>> {
    return serve(() => this.security.deleteCredentials(principal, keyId));
  }
}
