// The two measurements of bench:groups, against one broker URL:
//   joinTrials:  a lone member joins a fresh group on a topic that already has records; the time
//                from subscribe + run to its first assignment and to its first record.
//   rebalance:   8 members on a 64-partition topic under a fixed-rate producer; a 9th joins and an
//                old one leaves (rounds times), then one crashes. Every delivery is logged; the
//                figures are computed afterwards (groups-metrics.ts) from snapshots of who owned what.

import { type AssignorName, type Client, createClient } from "@rill/client";
import { sleep } from "../test/helpers/wait.ts";
import { type Delivery, type Member, startMember, startProducer } from "./groups-members.ts";

export interface JoinTrial {
  /** subscribe + run → first assignment (the join heartbeat's answer). */
  assignedMs: number;
  /** subscribe + run → first record in eachMessage. */
  firstRecordMs: number;
}

/**
 * Resolves with the time `ready()` first held, checked after every `poke` and every 2 ms (member
 * epochs move without a listener call); rejects after timeoutMs.
 */
function waiter(): { until(ready: () => boolean, timeoutMs: number, what: string): Promise<number>; poke(): void } {
  let check: (() => void) | undefined;
  return {
    poke: () => check?.(),
    until(ready, timeoutMs, what) {
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          check = undefined;
          clearInterval(poll);
          reject(new Error(`bench:groups: ${what} did not happen within ${timeoutMs} ms`));
        }, timeoutMs);
        const poll = setInterval(() => check?.(), 2);
        check = () => {
          if (!ready()) return;
          const at = performance.now();
          check = undefined;
          clearTimeout(timer);
          clearInterval(poll);
          resolve(at);
        };
        check();
      });
    },
  };
}

export async function createTopic(client: Client, topic: string, partitions: number): Promise<void> {
  await client.admin().createTopics({ topics: [{ topic, numPartitions: partitions }] });
}

export async function joinTrials(
  broker: string,
  options: { trials: number; run: string; log: (line: string) => void; warn: (m: string) => void },
): Promise<JoinTrial[]> {
  const client = createClient({ brokers: [broker] });
  const topic = `groups-join-${options.run}`;
  const partitions = 4;
  await createTopic(client, topic, partitions);
  const records = Array.from({ length: partitions * 50 }, (_, i) => ({ partition: i % partitions, value: String(performance.now()) }));
  await client.transport.json({ method: "POST", path: `/v1/topics/${topic}/records`, json: { records, acks: "all" } });
  const trials: JoinTrial[] = [];
  // trial 0 is a warm-up (connections, JIT, the objects' first start): not counted
  for (let trial = 0; trial <= options.trials; trial++) {
    const signal = waiter();
    const started = performance.now();
    const member = startMember({
      broker,
      topic,
      groupId: `groups-join-${options.run}-${trial}`,
      index: 0,
      deliveries: [],
      onChange: signal.poke,
      warn: options.warn,
    });
    const first = await signal.until(() => member.firstRecordAt !== undefined, 30_000, "a lone member's first record");
    if (trial > 0) trials.push({ assignedMs: (member.firstAssignedAt as number) - started, firstRecordMs: first - started });
    await member.leave();
    if (trial > 0 && trial % 10 === 0) options.log(`join trials: ${trial}/${options.trials}`);
  }
  return trials;
}

export type EventKind = "join" | "leave" | "crash";

/** One membership change, with what is needed to compute its figures afterwards. */
export interface RebalanceEvent {
  kind: EventKind;
  round: number;
  /** The member that joined, left or crashed. */
  subject: number;
  /** performance.now() of the change (subscribe + run, close(), or the crash). */
  at: number;
  /**
   * Stable as the members see it: every partition owned by exactly one live member, loads within
   * one, every live member at the same epoch. describeGroup confirms it after the event's window
   * (not during it: describing a 64-partition group is 64 partition lookups, load of its own).
   */
  stableAt: number;
  /** Owned partitions of each live member just before `at` and at `stableAt`. */
  before: Map<number, Set<number>>;
  after: Map<number, Set<number>>;
  /** The steady window before the event: [at - steadyMs, at). */
  steadyMs: number;
  /** The subject's first record (a joiner's), filled in at the end of the run. */
  subjectFirstRecordAt?: number;
}

export interface RebalanceRun {
  partitions: number;
  intervalMs: number;
  events: RebalanceEvent[];
  deliveries: Delivery[];
  produced: Map<number, number[]>;
  /** The producer's requests: send and answer times. */
  sends: Array<{ sent: number; acked: number }>;
  producerFailures: number;
  /** The member that crashed, whose deliveries may be redelivered by design. */
  crashed: number;
  /** Members the coordinator dropped while they were alive (see Member.expired): the same, by accident. */
  expired: number[];
  /** All produced records were delivered before the drain deadline. */
  drained: boolean;
}

export interface RebalanceOptions {
  run: string;
  members: number;
  partitions: number;
  /** Each partition gets a record this often. */
  intervalMs: number;
  /** Partitions are written in this many staggered groups per interval. */
  slots: number;
  /** Join + leave rounds. */
  rounds: number;
  /** Time between events, the first part of it being the next event's steady window. */
  settleMs: number;
  /** The crashing member's session timeout (the broker's minimum is 1000 ms). */
  crashSessionTimeoutMs: number;
  /** Default: the broker's (sticky). */
  assignor?: AssignorName;
  /** Default: the client's. */
  fetchMaxWaitMs?: number;
  log: (line: string) => void;
  warn: (m: string) => void;
}

const snapshot = (live: Member[]) => new Map(live.map((m) => [m.index, new Set(m.owned)]));

export async function rebalance(broker: string, options: RebalanceOptions): Promise<RebalanceRun> {
  const { partitions, log } = options;
  const client = createClient({ brokers: [broker] });
  const admin = client.admin();
  const topic = `groups-rebalance-${options.run}`;
  const groupId = `groups-rebalance-${options.run}`;
  await createTopic(client, topic, partitions);
  const deliveries: Delivery[] = [];
  const signal = waiter();
  const members: Member[] = [];
  const victim = options.members - 1;
  const add = (index: number) => {
    const member = startMember({
      broker,
      topic,
      groupId,
      index,
      deliveries,
      sessionTimeoutMs: index === victim ? options.crashSessionTimeoutMs : undefined,
      assignor: options.assignor,
      fetchMaxWaitMs: options.fetchMaxWaitMs,
      onChange: signal.poke,
      warn: options.warn,
    });
    members.push(member);
    return member;
  };
  const live = () => members.filter((m) => !m.gone);
  const balanced = () => {
    const seen = new Set<number>();
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    const epochs = new Set(live().map((m) => m.consumer.groupMetadata()?.memberEpoch));
    if (epochs.size !== 1) return false;
    for (const m of live()) {
      for (const p of m.owned) {
        if (seen.has(p)) return false;
        seen.add(p);
      }
      min = Math.min(min, m.owned.size);
      max = Math.max(max, m.owned.size);
    }
    return seen.size === partitions && max - min <= 1;
  };
  const confirmed = async (count: number, timeoutMs: number): Promise<void> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const d = await admin.describeGroup(groupId);
      const owned = d.members.reduce((n, m) => n + m.assignment.reduce((k, t) => k + t.partitions.length, 0), 0);
      if (d.state === "Stable" && d.members.length === count && owned === partitions) return;
      if (performance.now() > deadline)
        throw new Error(`bench:groups: group not Stable per describeGroup: ${d.state}, ${d.members.length}`);
      await sleep(20);
    }
  };

  const producer = startProducer(client.transport, topic, partitions, options.intervalMs, options.slots);
  const events: RebalanceEvent[] = [];
  try {
    log(
      `rebalance: ${options.members} members join a ${partitions}-partition topic, a record per partition every ${options.intervalMs} ms`,
    );
    for (let i = 0; i < options.members; i++) add(i);
    await signal.until(balanced, 60_000, `${options.members} members sharing every partition`);
    await confirmed(options.members, 30_000);
    // steady state first: every partition's consumer has caught up with the producer
    const caughtUp = () => {
      const since = performance.now() - 2 * options.intervalMs - 50;
      const fresh = new Set<number>();
      for (let i = deliveries.length - 1; i >= 0 && fresh.size < partitions; i--) {
        const d = deliveries[i] as Delivery;
        if (d.at < since) break;
        if (d.producedAt >= since) fresh.add(d.partition);
      }
      return fresh.size === partitions;
    };
    const warmDeadline = performance.now() + 30_000;
    while (!caughtUp() && performance.now() < warmDeadline) await sleep(50);
    if (!caughtUp()) log("rebalance: warning: the members did not catch up with the producer within 30 s");
    await sleep(options.settleMs);

    const tailMs = 2 * options.intervalMs;
    const event = async (kind: EventKind, round: number, subject: number, act: () => void, timeoutMs: number) => {
      const before = snapshot(live());
      const at = performance.now();
      act();
      const stableAt = await signal.until(balanced, timeoutMs, `a stable group after the ${kind} of member ${subject}`);
      const after = snapshot(live());
      events.push({ kind, round, subject, at, stableAt, before, after, steadyMs: options.settleMs * 0.8 });
      log(`rebalance: ${kind} of member ${subject}: stable after ${(stableAt - at).toFixed(1)} ms`);
      await sleep(tailMs);
      await confirmed(live().length, 30_000);
      await sleep(options.settleMs);
    };

    const rounds = Math.min(options.rounds, options.members - 1); // never the victim
    for (let round = 0; round < rounds; round++) {
      const joiner = options.members + round;
      await event("join", round, joiner, () => void add(joiner), 30_000);
      const leaver = members[round] as Member;
      let leaving: Promise<void> | undefined;
      await event("leave", round, leaver.index, () => void (leaving = leaver.leave()), 30_000);
      await leaving;
    }
    const crashing = members[victim] as Member;
    await event("crash", 0, victim, () => crashing.crash(), options.crashSessionTimeoutMs + 30_000);

    await producer.stop();
    // everything acknowledged must come out somewhere: wait for the stragglers
    const expected = [...producer.produced.values()].reduce((n, list) => n + list.length, 0);
    const delivered = () => new Set(deliveries.map((d) => d.partition * 1e9 + d.offset)).size;
    const drainDeadline = performance.now() + 15_000;
    let drained = false;
    while (performance.now() < drainDeadline && !(drained = delivered() >= expected)) await sleep(100);
    for (const e of events) e.subjectFirstRecordAt = members.find((m) => m.index === e.subject)?.firstRecordAt;
    return {
      partitions,
      intervalMs: options.intervalMs,
      events,
      deliveries,
      produced: producer.produced,
      sends: producer.sends,
      producerFailures: producer.failures,
      crashed: victim,
      expired: members.filter((m) => m.expired).map((m) => m.index),
      drained,
    };
  } finally {
    await producer.stop();
    await Promise.all(live().map((m) => m.leave()));
    // the crashed member's run ends by itself once its fetches give up; stop it if not yet
    await Promise.race([Promise.all(members.map((m) => m.consumer.stop().then(() => m.done))), sleep(15_000)]);
  }
}
