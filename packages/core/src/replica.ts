// One replica of a partition, leader or follower (Kafka's Partition/ReplicaManager, with the
// leader pushing instead of followers fetching, which suits Durable Objects: one RPC per batch
// instead of a polling loop per follower).
//
// Leader: appends, pushes each batch to its followers, and moves the high watermark to what every
// in-sync replica has. acks=all answers once that covers the batch; a follower that does not keep
// up within replica.lag.time.max.ms leaves the ISR (through the controller), and is brought back
// when it has caught up. Follower: accepts pushes only from the current leader epoch (a deposed
// leader is fenced), truncates a divergent tail when the leader says so, serves reads up to the
// high watermark the leader told it.

import { concatBytes } from "./bytes.ts";
import { RillError } from "./errors.ts";
import type { AppendBatchesOptions, AppendResult, PartitionLog } from "./partition-log-types.ts";
import { endOffsetForEpoch, lastEpochOf, truncateLog } from "./replica-log.ts";
import type { ReplicaAssignment, ReplicaNetwork, ReplicateRequest, ReplicateResponse } from "./replica-types.ts";

export type Acks = 0 | 1 | -1;

interface FollowerState {
  /** Log end offset last reported; null until the first exchange. */
  logEndOffset: number | null;
  /** The high watermark last sent to it (followers serve reads up to it). */
  highWatermarkSent: number;
  /** The error of the last failed exchange, cleared by the next success. */
  lastError: unknown;
  lastEpoch: number;
  /** Whether the divergence check for this leader epoch was done. */
  checked: boolean;
  lastCaughtUpMs: number;
  pushing: Promise<void> | null;
}

const PUSH_BYTES = 1024 * 1024;

export interface Replica {
  assignment(): ReplicaAssignment;
  /** Adopts newer metadata (from the controller or a caller's cache); older metadata is ignored. */
  learn(assignment: ReplicaAssignment): Promise<void>;
  produce(batches: Uint8Array, acks: Acks, options?: AppendBatchesOptions): Promise<AppendResult>;
  replicate(request: ReplicateRequest): Promise<ReplicateResponse>;
  /** Leader: starts pushes to followers whose state is unknown (after a restart), without waiting. */
  syncInBackground(): void;
  /** Leader housekeeping (alarm-driven): catch up lagging followers, shrink and expand the ISR. */
  tick(): Promise<void>;
  readonly log: PartitionLog;
}

export function createReplica(options: { log: PartitionLog; assignment: ReplicaAssignment; network: ReplicaNetwork }): Replica {
  const { log, network } = options;
  let current = options.assignment;
  let followers = new Map<number, FollowerState>();
  log.setLeaderEpoch(current.leaderEpoch);

  const isLeader = () => current.leader === current.replicaId;
  const lagMs = () => log.config()["replica.lag.time.max.ms"];

  function resetFollowers(): void {
    followers = new Map(
      current.replicas
        .filter((r) => r !== current.replicaId)
        .map((r) => [
          r,
          {
            logEndOffset: null,
            highWatermarkSent: -1,
            lastError: null,
            lastEpoch: -1,
            checked: false,
            lastCaughtUpMs: log.now(),
            pushing: null,
          },
        ]),
    );
  }
  resetFollowers();
  // a restarted leader re-learns its high watermark from its followers before serving
  const ready: Promise<void> = isLeader() ? updateHighWatermark() : Promise.resolve();

  async function adopt(next: ReplicaAssignment): Promise<void> {
    const newEpoch = next.leaderEpoch > current.leaderEpoch;
    current = next;
    if (newEpoch) {
      log.setLeaderEpoch(next.leaderEpoch);
      resetFollowers();
    }
    if (isLeader()) await updateHighWatermark();
  }

  /** Wakes awaitReplication whenever a follower answers (or fails to). */
  let progress = new Set<() => void>();
  function notifyProgress(): void {
    const waiting = progress;
    progress = new Set();
    for (const wake of waiting) wake();
  }

  async function updateHighWatermark(): Promise<void> {
    const { logEndOffset, highWatermark } = await log.state();
    let hw = logEndOffset;
    for (const id of current.isr) {
      if (id === current.replicaId) continue;
      const f = followers.get(id);
      hw = Math.min(hw, f?.logEndOffset ?? 0);
    }
    log.setHighWatermark(hw);
    if (hw > highWatermark && isLeader()) {
      // followers learn the new high watermark in the background, so reads from them keep up
      for (const [id, f] of followers) if (f.logEndOffset !== null && !f.pushing) syncFollower(id).catch(() => undefined);
    }
  }

  function notLeader(): RillError {
    return new RillError(
      "NOT_LEADER_OR_FOLLOWER",
      `replica ${current.replicaId} is not the leader of epoch ${current.leaderEpoch} (leader: ${current.leader})`,
      {
        leader: current.leader,
        leaderEpoch: current.leaderEpoch,
      },
    );
  }

  /** Pushes to one follower until it has everything the leader has (one push loop per follower at a time). */
  function syncFollower(id: number): Promise<void> {
    const f = followers.get(id);
    if (!f) return Promise.resolve();
    // a push loop is running: let it finish, then start another for what arrived since
    if (f.pushing) return f.pushing.catch(() => undefined).then(() => syncFollower(id));
    const run = pushUntilCaughtUp(id, f, current.leaderEpoch).catch((error) => {
      // the follower's state is unknown after a failed exchange: probe again next time
      f.logEndOffset = null;
      f.checked = false;
      f.lastError = error;
      notifyProgress();
      throw error;
    });
    f.pushing = run.finally(() => {
      f.pushing = null;
    });
    return f.pushing;
  }

  async function pushUntilCaughtUp(id: number, f: FollowerState, epoch: number): Promise<void> {
    for (;;) {
      if (!isLeader() || current.leaderEpoch !== epoch) throw notLeader();
      const state = await log.state();
      const request: ReplicateRequest = { leader: current.replicaId, leaderEpoch: epoch, fromOffset: -1, batches: null, highWatermark: -1 };
      if (f.logEndOffset !== null && !f.checked) {
        // KIP-101: the follower's last epoch ends here on the leader; anything past it diverged
        const end = endOffsetForEpoch(state.epochs, state.logEndOffset, f.lastEpoch).endOffset;
        if (f.logEndOffset > end) request.truncateTo = end;
        f.checked = true;
      } else if (f.logEndOffset !== null && f.logEndOffset >= state.logEndOffset) {
        f.lastCaughtUpMs = log.now();
        // caught up; one more probe only if its high watermark is behind
        if (f.highWatermarkSent >= Math.min(state.highWatermark, f.logEndOffset)) return;
      } else if (f.logEndOffset !== null) {
        const chunk = (await log.storage.read(log.partition, f.logEndOffset, PUSH_BYTES)).filter((b) => b.lastOffset < state.logEndOffset);
        const first = chunk[0];
        if (!first) throw new RillError("OFFSET_OUT_OF_RANGE", `follower ${id} needs offset ${f.logEndOffset}, before this log's start`);
        if (first.baseOffset < f.logEndOffset)
          request.truncateTo = first.baseOffset; // it ends inside a batch: diverged
        else {
          request.fromOffset = f.logEndOffset;
          request.batches = concatBytes(chunk.map((b) => b.bytes));
        }
      }
      // until the divergence check is done the follower's tail may not be the leader's: no high watermark yet
      if (f.checked) request.highWatermark = state.highWatermark;
      const response = await network.replicate(id, request);
      f.logEndOffset = response.logEndOffset;
      f.lastEpoch = response.lastEpoch;
      f.lastError = null;
      if (request.highWatermark >= 0) f.highWatermarkSent = Math.min(request.highWatermark, response.logEndOffset);
      await updateHighWatermark();
      notifyProgress();
    }
  }

  async function shrinkIsr(remove: number[]): Promise<void> {
    const isr = current.isr.filter((r) => !remove.includes(r));
    if (isr.length === current.isr.length) return;
    const meta = await network.alterIsr(current.leaderEpoch, isr).catch((error) => {
      // the controller knows a newer epoch: this replica has been deposed
      throw error instanceof RillError && error.code === "FENCED_LEADER_EPOCH" ? notLeader() : error;
    });
    await adopt({ ...meta, replicaId: current.replicaId });
  }

  /**
   * Waits until every in-sync replica has offsets below `need`. A follower that fails, or has not
   * caught up within replica.lag.time.max.ms, leaves the ISR; below min.insync.replicas the wait fails.
   */
  async function awaitReplication(need: number): Promise<void> {
    const minIsr = log.config()["min.insync.replicas"];
    const deadline = log.now() + lagMs();
    for (const f of followers.values()) f.lastError = null; // only failures during this wait count
    for (;;) {
      await updateHighWatermark();
      if ((await log.state()).highWatermark >= need) return;
      const laggards = current.isr.filter((id) => id !== current.replicaId && (followers.get(id)?.logEndOffset ?? -1) < need);
      const failed = laggards.filter((id) => followers.get(id)?.lastError);
      for (const id of failed) {
        const error = followers.get(id)?.lastError;
        if (error instanceof RillError && (error.code === "NOT_LEADER_OR_FOLLOWER" || error.code === "FENCED_LEADER_EPOCH"))
          throw notLeader();
      }
      const timedOut = log.now() >= deadline;
      if (failed.length > 0 || timedOut) {
        await shrinkIsr(timedOut ? laggards : failed);
        if (current.isr.length < minIsr) {
          throw new RillError(
            "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            `only ${current.isr.length} in-sync replicas remain, min.insync.replicas is ${minIsr}`,
          );
        }
        continue;
      }
      // sleep until a follower answers (or fails) or the deadline passes; the pushes run meanwhile
      const woken = new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.max(1, deadline - log.now()));
        function wake() {
          clearTimeout(timer);
          progress.delete(wake);
          resolve();
        }
        progress.add(wake);
      });
      for (const id of laggards) syncFollower(id).catch(() => undefined);
      await woken;
    }
  }

  return {
    log,
    assignment: () => current,

    async learn(next) {
      await ready;
      if (next.leaderEpoch < current.leaderEpoch) return;
      if (
        next.leaderEpoch === current.leaderEpoch &&
        JSON.stringify(next.isr) === JSON.stringify(current.isr) &&
        next.leader === current.leader
      )
        return;
      await adopt(next);
    },

    async produce(batches, acks, appendOptions) {
      await ready;
      if (!isLeader() || current.leader < 0) throw notLeader();
      const minIsr = log.config()["min.insync.replicas"];
      if (acks === -1 && current.isr.length < minIsr) {
        throw new RillError("NOT_ENOUGH_REPLICAS", `${current.isr.length} in-sync replicas, min.insync.replicas is ${minIsr}`);
      }
      const result = await log.appendBatches(batches, appendOptions);
      const need = Math.max(...result.batches.map((b) => b.lastOffset + 1));
      if (acks === -1) await awaitReplication(need);
      else {
        await updateHighWatermark();
        for (const id of current.isr) if (id !== current.replicaId) syncFollower(id).catch(() => undefined);
      }
      return result;
    },

    async replicate(request) {
      await ready;
      if (request.leaderEpoch < current.leaderEpoch) {
        throw new RillError("FENCED_LEADER_EPOCH", `leader epoch ${request.leaderEpoch} is older than ${current.leaderEpoch}`);
      }
      if (request.leaderEpoch > current.leaderEpoch || current.leader !== request.leader) {
        await adopt({ ...current, leader: request.leader, leaderEpoch: request.leaderEpoch });
      }
      if (request.truncateTo !== undefined) await truncateLog(log, Math.max(request.truncateTo, (await log.state()).highWatermark));
      let state = await log.state();
      if (request.batches && request.fromOffset === state.logEndOffset) {
        await log.appendReplicated(request.batches);
        state = await log.state();
      }
      if (request.highWatermark >= 0) log.setHighWatermark(Math.min(request.highWatermark, state.logEndOffset));
      return { logEndOffset: state.logEndOffset, lastEpoch: lastEpochOf(state.epochs) };
    },

    syncInBackground() {
      if (!isLeader()) return;
      for (const id of current.isr) {
        if (id !== current.replicaId && followers.get(id)?.logEndOffset === null) syncFollower(id).catch(() => undefined);
      }
    },

    async tick() {
      await ready;
      if (!isLeader()) return;
      const { logEndOffset, highWatermark } = await log.state();
      const now = log.now();
      const lagging: number[] = [];
      for (const [id, f] of followers) {
        await syncFollower(id).catch(() => undefined);
        const inIsr = current.isr.includes(id);
        if (inIsr && (f.logEndOffset ?? -1) < logEndOffset && now - f.lastCaughtUpMs > lagMs()) lagging.push(id);
        if (!inIsr && f.logEndOffset !== null && f.logEndOffset >= highWatermark && f.checked) {
          const meta = await network.alterIsr(
            current.leaderEpoch,
            [...current.isr, id].sort((a, b) => a - b),
          );
          await adopt({ ...meta, replicaId: current.replicaId });
        }
      }
      if (lagging.length > 0) await shrinkIsr(lagging);
    },
  };
}
