// One Durable Object per partition replica: the core partition log on the object's SQLite, wrapped
// in the core replica (leader or follower). Callers pass the replica's assignment with every call;
// the object keeps the newest it has seen (stored, so alarms and restarts use it).

import { DurableObject } from "cloudflare:workers";
import {
  type AppendResult,
  compactLog,
  createPartitionLog,
  createReplica,
  deleteRecordsBefore,
  enforceRetention,
  type FetchRequest,
  type ListedOffset,
  type LogState,
  longPollFetch,
  type OffsetSpec,
  type PartitionLog,
  type ReadResult,
  type Replica,
  type ReplicateRequest,
  type ReplicateResponse,
  RillError,
  replicaAcks,
  resolveTopicConfig,
  type Storage,
  type TopicConfig,
} from "@rill/core";
import type { FetchedBatches } from "@rill/server";
import { createSqliteStorage } from "@rill/storage-sqlite";
import { batchesBody } from "./batches-body.ts";
import type { Env, PartitionAssignment } from "./env.ts";
import { applyFault, type Fault, type FaultState, faultsEnabled, gate, noFaults } from "./faults.ts";
import { acceptTail, pushTails } from "./live-tail.ts";
import { replicaNetwork } from "./replica-network.ts";
import { type RpcResult, serve } from "./rpc.ts";
import { countingSqliteHost, type ObjectMetrics } from "./sql-metrics.ts";

const LOG = "log";
const META = "partition";

interface StoredAssignment extends PartitionAssignment {
  deleted?: boolean;
}

export class PartitionObject extends DurableObject<Env> {
  private readonly storage: Storage;
  private readonly log: PartitionLog;
  private replica: Replica | undefined;
  private assignment: StoredAssignment | undefined;
  private assignmentVersion = 0;
  private config: TopicConfig = resolveTopicConfig();
  private faults: FaultState = noFaults;
  /** Whether live tails are hooked to the log's high watermark (sockets survive hibernation; the hook is redone on wake). */
  private tailsWatched = false;
  /** When retention and compaction last ran (in memory: a restarted object runs them at its first alarm). */
  private maintainedAt = 0;
  /** Billable work since the object started (requests, SQLite rows): see debugMetrics. */
  private readonly metrics: ObjectMetrics = { requests: 0, rowsRead: 0, rowsWritten: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = createSqliteStorage(countingSqliteHost(ctx.storage, this.metrics));
    this.log = createPartitionLog({
      storage: this.storage,
      partition: LOG,
      config: () => this.config,
      replicated: true,
      // appends that arrive while a commit is on its way to disk share the next one
      commitBarrier: () => ctx.storage.sync(),
    });
    ctx.blockConcurrencyWhile(async () => {
      const doc = await this.storage.getDocument<StoredAssignment>(META, "assignment");
      if (doc) this.adopt(doc.value, doc.version);
      if (ctx.getWebSockets().length > 0) this.watchTails();
      if (faultsEnabled(env)) this.faults = (await ctx.storage.get<FaultState>("faults")) ?? noFaults;
    });
  }

  private adopt(assignment: StoredAssignment, version: number): void {
    this.assignment = assignment;
    this.assignmentVersion = version;
    this.config = resolveTopicConfig(assignment.config as Partial<TopicConfig>);
    const meta = { ...assignment };
    if (!this.replica)
      this.replica = createReplica({ log: this.log, assignment: meta, network: replicaNetwork(this.env, () => this.current()) });
  }

  private current(): PartitionAssignment {
    return this.assignment as PartitionAssignment;
  }

  private newer(a: PartitionAssignment, b: PartitionAssignment): boolean {
    return a.version > b.version || a.leaderEpoch > b.leaderEpoch;
  }

  /** Checks the caller's assignment against what this replica knows, keeping the newer. */
  private async learn(incoming: PartitionAssignment): Promise<Replica> {
    this.metrics.requests++;
    gate(this.faults, Date.now());
    const known = this.assignment;
    if (known?.deleted) throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${known.topic} was deleted`);
    if (known && known.topicId !== incoming.topicId) {
      throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `this partition belongs to another incarnation of ${known.topic}`);
    }
    if (!known || this.newer(incoming, known)) {
      // fields a caller knows less well than this replica (its own epoch, from a leader's push) are kept
      const next =
        known && known.leaderEpoch > incoming.leaderEpoch
          ? { ...incoming, leader: known.leader, leaderEpoch: known.leaderEpoch, isr: known.isr }
          : incoming;
      if (await this.storage.putDocument(META, "assignment", this.assignmentVersion, next)) this.adopt(next, this.assignmentVersion + 1);
      await (this.replica as Replica).learn({ ...next });
      await this.scheduleAlarm();
    }
    return this.replica as Replica;
  }

  private async scheduleAlarm(): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    const next = Date.now() + this.alarmIntervalMs();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }

  /** Leaders of replicated partitions tick often (ISR upkeep); everyone else only for retention. */
  private alarmIntervalMs(): number {
    const a = this.assignment;
    const maintenance = Number(this.env.RILL_MAINTENANCE_INTERVAL_MS ?? 300_000);
    if (a && a.replicas.length > 1 && a.leader === a.replicaId)
      return Math.min(maintenance, Math.max(200, this.config["replica.lag.time.max.ms"] / 2));
    return maintenance;
  }

  private requireLeader(assignment: PartitionAssignment): void {
    const a = this.current();
    if (a.leader !== a.replicaId || assignment.leaderEpoch < a.leaderEpoch) {
      throw new RillError(
        "NOT_LEADER_OR_FOLLOWER",
        `replica ${a.replicaId} of ${a.topic}/${a.partition} is not the leader at epoch ${a.leaderEpoch}`,
        {
          leader: a.leader,
          leaderEpoch: a.leaderEpoch,
        },
      );
    }
  }

  /** `verified`: the Worker checked CRC and framing (or encoded the batches) before this call. */
  append(assignment: PartitionAssignment, batches: Uint8Array, acks: 0 | 1 | -1 = -1, verified = false): Promise<RpcResult<AppendResult>> {
    return serve(async () => {
      const replica = await this.learn(assignment);
      this.requireLeader(assignment);
      return replica.produce(batches, replicaAcks(acks), { verified });
    });
  }

  /** Reads from the leader, or from an in-sync follower (KIP-392), never above the high watermark. */
  read(assignment: PartitionAssignment, request: FetchRequest): Promise<RpcResult<ReadResult>> {
    return serve(async () => {
      const replica = await this.learn(assignment);
      replica.syncInBackground();
      return longPollFetch(this.log, request);
    });
  }

  /**
   * read(), answered as the binary fetch's body (Broker.fetchBatches): a large answer goes to the
   * Worker as a stream that workerd pumps into the HTTP answer, so the Worker never holds the
   * bytes (no structured clone of each batch into its isolate, no join there).
   */
  readBatches(assignment: PartitionAssignment, request: FetchRequest): Promise<RpcResult<FetchedBatches>> {
    return serve(async () => {
      const replica = await this.learn(assignment);
      replica.syncInBackground();
      const { batches, nextOffset, highWatermark, logStartOffset } = await longPollFetch(this.log, request);
      return { ...batchesBody(batches), nextOffset, highWatermark, logStartOffset };
    });
  }

  listOffset(assignment: PartitionAssignment, spec: OffsetSpec): Promise<RpcResult<ListedOffset>> {
    return serve(async () => {
      await this.learn(assignment);
      return this.log.listOffset(spec);
    });
  }

  /** Kafka's DeleteRecords on this replica's log (the leader's; followers keep their head). */
  deleteRecords(assignment: PartitionAssignment, offset: number): Promise<RpcResult<number>> {
    return serve(async () => {
      await this.learn(assignment);
      return deleteRecordsBefore(this.log, offset);
    });
  }

  state(assignment: PartitionAssignment): Promise<RpcResult<LogState>> {
    return serve(async () => {
      (await this.learn(assignment)).syncInBackground();
      return this.log.state();
    });
  }

  /** A leader's push (or probe); the follower learns its assignment from it if it had none. */
  replicate(assignment: PartitionAssignment, request: ReplicateRequest): Promise<RpcResult<ReplicateResponse>> {
    return serve(async () => {
      const replica = await this.learn(assignment);
      if (this.faults.slowUntil > Date.now()) await new Promise((r) => setTimeout(r, this.faults.delayMs));
      return replica.replicate(request);
    });
  }

  /** The controller pushes metadata changes (config, leadership, ISR). */
  configure(assignment: PartitionAssignment): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.learn(assignment);
      return null;
    });
  }

  /** Liveness, for the controller's leader election. */
  ping(): Promise<RpcResult<{ replicaId: number; leaderEpoch: number }>> {
    return serve(async () => {
      gate(this.faults, Date.now());
      return { replicaId: this.assignment?.replicaId ?? -1, leaderEpoch: this.assignment?.leaderEpoch ?? -1 };
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
      this.assignment = tombstone;
      this.assignmentVersion = 1;
      await this.ctx.storage.deleteAlarm();
      return null;
    });
  }

  /**
   * HTTP entry, used for WebSocket live tails only (RPC serves everything else): the Worker
   * forwards the upgrade with the replica's assignment in a header.
   */
  override async fetch(request: Request): Promise<Response> {
    try {
      const assignment = JSON.parse(request.headers.get("rill-assignment") ?? "null") as PartitionAssignment | null;
      const url = new URL(request.url);
      if (!assignment || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        throw new RillError("INVALID_REQUEST", "expected a WebSocket upgrade with an assignment");
      }
      await this.learn(assignment);
      const offset = Number(url.searchParams.get("offset") ?? "0");
      const encoding = url.searchParams.get("encoding") === "base64" ? "base64" : "utf8";
      this.watchTails();
      return await acceptTail(this.ctx, this.log, { offset, encoding });
    } catch (error) {
      const e = error instanceof RillError ? error : new RillError("UNKNOWN_SERVER_ERROR", String(error));
      return Response.json({ error: { code: e.code, message: e.message, retriable: e.retriable } }, { status: e.status });
    }
  }

  private watchTails(): void {
    if (this.tailsWatched) return;
    this.tailsWatched = true;
    this.log.onHighWatermark(() => this.ctx.waitUntil(pushTails(this.ctx, this.log)));
  }

  /** A tail socket said something: "ping" is answered; anything else is ignored. */
  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (message === "ping") ws.send("pong");
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    ws.close(code === 1005 ? 1000 : code, "closing");
  }

  /**
   * Requests served and SQLite rows read and written since this object started (what Cloudflare
   * bills a SQLite-backed object by). RPC only: no route of the Worker calls it; the benchmark asks
   * through Miniflare's binding.
   */
  debugMetrics(): ObjectMetrics {
    return { ...this.metrics };
  }

  /** Tests only (RILL_FAULTS=enabled): crash, cut off or slow down this replica. */
  async injectFault(fault: Fault): Promise<RpcResult<FaultState>> {
    return serve(async () => {
      if (!faultsEnabled(this.env)) throw new RillError("NOT_FOUND", "fault injection is disabled");
      this.faults = applyFault(this.faults, fault, Date.now());
      await this.ctx.storage.put("faults", this.faults);
      // flush before crashing: an abort discards writes not yet committed
      await this.ctx.storage.sync();
      if (fault.kind === "crash") this.ctx.abort("injected crash");
      return this.faults;
    });
  }

  /** Retention, compaction and (leaders of replicated partitions) ISR upkeep; then the next alarm. */
  override async alarm(): Promise<void> {
    const a = this.assignment;
    if (!a || a.deleted || !this.replica) return;
    if (this.faults.unreachableUntil <= Date.now()) {
      await this.replica.tick().catch((error) => console.warn("rill: replica tick failed", error));
      const maintenance = Number(this.env.RILL_MAINTENANCE_INTERVAL_MS ?? 300_000);
      if (Date.now() - this.maintainedAt >= maintenance || this.alarmIntervalMs() === maintenance) {
        await enforceRetention(this.log);
        await compactLog(this.log);
        this.maintainedAt = Date.now();
      }
    }
    await this.ctx.storage.setAlarm(Date.now() + this.alarmIntervalMs());
  }
}
