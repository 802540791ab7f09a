// Server-side partition assignors (KIP-848 runs them on the coordinator, not in a member):
// range and round-robin as Kafka defines them, and sticky: keep what members have, then balance
// with as few moves as possible, so a join or leave moves only the partitions it must.

import type { AssignorName, TopicPartitions } from "./group-types.ts";

export interface AssignorMember {
  memberId: string;
  /** Topics this member is subscribed to (already resolved from patterns). */
  topics: string[];
  /** The member's previous target, for stickiness. */
  current: TopicPartitions;
}

export type Assignor = (members: AssignorMember[], partitionCounts: Record<string, number>) => Record<string, TopicPartitions>;

const byId = (a: AssignorMember, b: AssignorMember) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

function emptyResult(members: AssignorMember[]): Record<string, TopicPartitions> {
  return Object.fromEntries(members.map((m) => [m.memberId, {}]));
}

function give(result: Record<string, TopicPartitions>, memberId: string, topic: string, partition: number): void {
  const forMember = result[memberId] as TopicPartitions;
  (forMember[topic] ??= []).push(partition);
}

function sortAll(result: Record<string, TopicPartitions>): Record<string, TopicPartitions> {
  for (const tps of Object.values(result)) for (const list of Object.values(tps)) list.sort((a, b) => a - b);
  return result;
}

/** Kafka's RangeAssignor: per topic, consecutive ranges to members in id order. */
export const rangeAssignor: Assignor = (members, counts) => {
  const result = emptyResult(members);
  for (const [topic, count] of Object.entries(counts)) {
    const subscribers = members.filter((m) => m.topics.includes(topic)).sort(byId);
    if (subscribers.length === 0) continue;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((m, i) => {
      const n = per + (i < extra ? 1 : 0);
      for (let p = next; p < next + n; p++) give(result, m.memberId, topic, p);
      next += n;
    });
  }
  return sortAll(result);
};

/** Kafka's RoundRobinAssignor: every partition in (topic, partition) order, dealt to subscribed members in turn. */
export const roundRobinAssignor: Assignor = (members, counts) => {
  const result = emptyResult(members);
  const sorted = [...members].sort(byId);
  let turn = 0;
  for (const topic of Object.keys(counts).sort()) {
    for (let p = 0; p < (counts[topic] as number); p++) {
      for (let tries = 0; tries < sorted.length; tries++) {
        const m = sorted[turn++ % sorted.length] as AssignorMember;
        if (m.topics.includes(topic)) {
          give(result, m.memberId, topic, p);
          break;
        }
      }
    }
  }
  return sortAll(result);
};

/** Sticky and balanced: keeps valid current partitions, gives out the rest, then evens loads. */
export const stickyAssignor: Assignor = (members, counts) => {
  const result = emptyResult(members);
  const load = new Map(members.map((m) => [m.memberId, 0]));
  const owner = new Map<string, string>();
  const key = (t: string, p: number) => `${t}\u0000${p}`;
  const eligible = (m: AssignorMember, topic: string) => m.topics.includes(topic) && counts[topic] !== undefined;
  // 1. keep what each member has, if still subscribed and still existing (first claim wins)
  for (const m of [...members].sort(byId)) {
    for (const [topic, partitions] of Object.entries(m.current)) {
      if (!eligible(m, topic)) continue;
      for (const p of partitions) {
        if (p >= (counts[topic] as number) || owner.has(key(topic, p))) continue;
        owner.set(key(topic, p), m.memberId);
        give(result, m.memberId, topic, p);
        load.set(m.memberId, (load.get(m.memberId) as number) + 1);
      }
    }
  }
  // 2. hand out unowned partitions to the least loaded eligible member
  const leastLoaded = (topic: string, except?: string) =>
    members
      .filter((m) => eligible(m, topic) && m.memberId !== except)
      .sort((a, b) => (load.get(a.memberId) as number) - (load.get(b.memberId) as number) || byId(a, b))[0];
  for (const topic of Object.keys(counts).sort()) {
    for (let p = 0; p < (counts[topic] as number); p++) {
      if (owner.has(key(topic, p))) continue;
      const m = leastLoaded(topic);
      if (!m) continue;
      owner.set(key(topic, p), m.memberId);
      give(result, m.memberId, topic, p);
      load.set(m.memberId, (load.get(m.memberId) as number) + 1);
    }
  }
  // 3. move partitions from the most to the least loaded eligible member until no move helps
  for (let moved = true; moved; ) {
    moved = false;
    const heaviest = [...members].sort((a, b) => (load.get(b.memberId) as number) - (load.get(a.memberId) as number) || byId(a, b));
    for (const from of heaviest) {
      const tps = result[from.memberId] as TopicPartitions;
      for (const topic of Object.keys(tps).sort()) {
        const to = leastLoaded(topic, from.memberId);
        if (!to || (load.get(from.memberId) as number) - (load.get(to.memberId) as number) < 2) continue;
        const partition = (tps[topic] as number[]).pop() as number;
        if ((tps[topic] as number[]).length === 0) delete tps[topic];
        give(result, to.memberId, topic, partition);
        load.set(from.memberId, (load.get(from.memberId) as number) - 1);
        load.set(to.memberId, (load.get(to.memberId) as number) + 1);
        moved = true;
        break;
      }
      if (moved) break;
    }
  }
  return sortAll(result);
};

export const assignors: Record<AssignorName, Assignor> = {
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  sticky: stickyAssignor,
};
