// One Durable Object per topic-partition: the core partition log on the object's SQLite. The Worker
// passes the partition's assignment (topic id, config, epoch) with every call; the object keeps the
// newest it has seen, so retention alarms run with current config even when no request comes.

import { DurableObject } from "cloudflare:workers";
import {
  type AppendResult,
  compactLog,
  createPartitionLog,
  enforceRetention,
  type FetchRequest,
  type ListedOffset,
  type LogState,
  longPollFetch,
  type OffsetSpec,
  type PartitionLog,
  type ReadResult,
  RillError,
  resolveTopicConfig,
  type Storage,
  type TopicConfig,
} from "@rill/core";
import { createSqliteStorage } from "@rill/storage-sqlite";
import type { Env, PartitionAssignment } from "./env.ts";
import { type RpcResult, serve } from "./rpc.ts";

const LOG = "log";
const META = "partition";

interface StoredAssignment extends PartitionAssignment {
  deleted?: boolean;
}

export class PartitionObject extends DurableObject<Env> {
  private readonly storage: Storage;
  private readonly log: PartitionLog;
  private assignment: StoredAssignment | undefined;
  private assignmentVersion = 0;
  private config: TopicConfig = resolveTopicConfig();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = createSqliteStorage(ctx.storage);
    this.log = createPartitionLog({ storage: this.storage, partition: LOG, config: () => this.config });
    ctx.blockConcurrencyWhile(async () => {
      const doc = await this.storage.getDocument<StoredAssignment>(META, "assignment");
      if (doc) this.adopt(doc.value, doc.version);
    });
  }

  private adopt(assignment: StoredAssignment, version: number): void {
    this.assignment = assignment;
    this.assignmentVersion = version;
    this.config = resolveTopicConfig(assignment.config as Partial<TopicConfig>);
    this.log.setLeaderEpoch(assignment.leaderEpoch);
  }

  /** Checks the caller's assignment against what this object knows, keeping the newer. */
  private async learn(assignment: PartitionAssignment): Promise<void> {
    const known = this.assignment;
    if (known?.deleted) throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${known.topic} was deleted`);
    if (known && known.topicId !== assignment.topicId) {
      throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `this partition belongs to another incarnation of ${known.topic}`);
    }
    if (known && known.version >= assignment.version) return;
    const next = { ...assignment };
    if (await this.storage.putDocument(META, "assignment", this.assignmentVersion, next)) this.adopt(next, this.assignmentVersion + 1);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.maintenanceIntervalMs());
  }

  private maintenanceIntervalMs(): number {
    return Number(this.env.RILL_MAINTENANCE_INTERVAL_MS ?? 300_000);
  }

  append(assignment: PartitionAssignment, batches: Uint8Array): Promise<RpcResult<AppendResult>> {
    return serve(async () => {
      await this.learn(assignment);
      return this.log.appendBatches(batches);
    });
  }

  read(assignment: PartitionAssignment, request: FetchRequest): Promise<RpcResult<ReadResult>> {
    return serve(async () => {
      await this.learn(assignment);
      return longPollFetch(this.log, request);
    });
  }

  listOffset(assignment: PartitionAssignment, spec: OffsetSpec): Promise<RpcResult<ListedOffset>> {
    return serve(async () => {
      await this.learn(assignment);
      return this.log.listOffset(spec);
    });
  }

  state(assignment: PartitionAssignment): Promise<RpcResult<LogState>> {
    return serve(async () => {
      await this.learn(assignment);
      return this.log.state();
    });
  }

  /** The controller pushes config changes so alarms use them before the next request. */
  configure(assignment: PartitionAssignment): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.learn(assignment);
      return null;
    });
  }

  /** Topic deletion: the data goes; the object remembers it was deleted, to refuse stale callers. */
  drop(assignment: PartitionAssignment): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.log.exclusive(async () => {
        await this.storage.dropPartition(LOG);
        await this.log.reload();
      });
      const tombstone = { ...assignment, deleted: true };
      await this.storage.deleteDocument(META, "assignment");
      await this.storage.putDocument(META, "assignment", 0, tombstone);
      this.adopt(tombstone, 1);
      await this.ctx.storage.deleteAlarm();
      return null;
    });
  }

  /** Retention and compaction, then the next alarm. */
  override async alarm(): Promise<void> {
    if (!this.assignment || this.assignment.deleted) return;
    await enforceRetention(this.log);
    await compactLog(this.log);
    await this.ctx.storage.setAlarm(Date.now() + this.maintenanceIntervalMs());
  }
}
