// Figures of a bench:groups rebalance run, computed after the fact from the delivery log.
//   gap:   time between two consecutive deliveries of one partition to one member
//   stall: that gap minus the producer's own spacing of the two records (their send times), i.e.
//          how much longer the second record waited than the first: the pause the member saw
// For an event, a member that is neither its subject nor new counts as unaffected; its kept
// partitions are those it owned both just before the event and once the group was stable again.
// The rebalance window runs from the event to stable + a tail of two producer intervals (the
// runner keeps quiet that long); the steady window is the stretch just before the event.
// A figure that no sample fell into (e.g. no record reached a moved partition's new owner before
// its window closed, which on a loaded machine is normal) is undefined, never 0: a 0 would read as
// "instant" in the report and as a broken run in a test.

import type { Delivery } from "./groups-members.ts";
import type { EventKind, RebalanceEvent, RebalanceRun } from "./groups-scenarios.ts";

export interface EventFigures {
  kind: EventKind;
  round: number;
  /** Event → stable again: every partition owned, loads even, one epoch (see RebalanceEvent.stableAt). */
  stableMs: number;
  /** Partitions that changed owner. */
  moved: number;
  /** Worst unaffected member, kept partitions: longest gap and stall, steady vs during the rebalance (undefined: no sample). */
  steadyGapMs: number | undefined;
  gapMs: number | undefined;
  steadyStallMs: number | undefined;
  stallMs: number | undefined;
  /** Worst end-to-end latency (produce send → handler) of kept partitions during the rebalance (undefined: no sample). */
  keptLatencyMs: number | undefined;
  /**
   * Slowest produce request (send → answer) started in the steady window and in the rebalance
   * window: a stall that the producer's own requests share is the broker queueing, not a member.
   * Undefined: no request was answered in that window.
   */
  steadyProduceMs: number | undefined;
  produceMs: number | undefined;
  /**
   * Worst latency of a record on a moved partition, first delivered in the rebalance window (its
   * handover). Undefined: no new owner handled a record before the window closed.
   */
  movedLatencyMs: number | undefined;
  /** A joining member: event → its first record. */
  joinerFirstRecordMs: number | undefined;
}

export interface Correctness {
  produced: number;
  /** Distinct produced records processed at least once. */
  processed: number;
  /** Produced (acknowledged) and never processed. */
  lost: number;
  /** Processed twice within one member epoch (by one member or two): never allowed. */
  duplicates: number;
  /**
   * Processed again at a later epoch where the crashed member, or a member whose session expired,
   * was one of those processing it (uncommitted work, or a member that had not yet heard it was
   * dropped: at-least-once).
   */
  redeliveredAfterCrash: number;
  /** Processed again at a later epoch for any other reason (a clean join or leave must cause none). */
  redeliveredOther: number;
  /** Members whose session expired while they were alive, the victim before its crash included (a machine too busy to heartbeat). */
  expiredMembers: number;
  producerFailures: number;
}

const key = (partition: number, offset: number) => partition * 1e9 + offset;

function byMemberPartition(deliveries: readonly Delivery[]): Map<number, Map<number, Delivery[]>> {
  const index = new Map<number, Map<number, Delivery[]>>();
  for (const d of deliveries) {
    let member = index.get(d.member);
    if (!member) index.set(d.member, (member = new Map()));
    let list = member.get(d.partition);
    if (!list) member.set(d.partition, (list = []));
    list.push(d);
  }
  return index;
}

/**
 * Longest gap and stall over consecutive pairs (a, b) of `list`: with `inside`, both in [from, to)
 * (a steady window, so a pair reaching back into the previous event never counts); else every pair
 * overlapping [from, to] (a rebalance window, so a gap still open at its end counts).
 */
function gaps(list: readonly Delivery[], from: number, to: number, inside: boolean): { gap?: number; stall?: number } {
  let gap: number | undefined;
  let stall: number | undefined;
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1] as Delivery;
    const b = list[i] as Delivery;
    if (inside ? a.at < from || b.at >= to : b.at < from || a.at > to) continue;
    gap = worst(gap, b.at - a.at);
    stall = worst(stall, b.at - a.at - (b.producedAt - a.producedAt));
  }
  return { gap, stall };
}

/** The larger of a running maximum (undefined: no sample yet) and a new sample. */
const worst = (known: number | undefined, sample: number | undefined): number | undefined =>
  sample === undefined ? known : known === undefined ? sample : Math.max(known, sample);

export function eventFigures(run: RebalanceRun): EventFigures[] {
  const index = byMemberPartition(run.deliveries);
  // a redelivery's latency is the age of the last commit, not a handover: only first deliveries count there
  const firsts = new Set<Delivery>();
  const seen = new Set<number>();
  for (const d of run.deliveries) {
    const k = key(d.partition, d.offset);
    if (!seen.has(k)) firsts.add(d);
    seen.add(k);
  }
  return run.events.map((e: RebalanceEvent) => {
    const end = e.stableAt + 2 * run.intervalMs;
    const figures: Record<"steadyGapMs" | "gapMs" | "steadyStallMs" | "stallMs" | "keptLatencyMs" | "movedLatencyMs", number | undefined> =
      {
        steadyGapMs: undefined,
        gapMs: undefined,
        steadyStallMs: undefined,
        stallMs: undefined,
        keptLatencyMs: undefined,
        movedLatencyMs: undefined,
      };
    const slowest = (from: number, to: number) =>
      run.sends
        .filter((s) => s.sent >= from && s.sent < to && Number.isFinite(s.acked))
        .reduce<number | undefined>((most, s) => worst(most, s.acked - s.sent), undefined);
    for (const [member, before] of e.before) {
      const after = e.after.get(member);
      if (member === e.subject || !after) continue;
      for (const p of before) {
        if (!after.has(p)) continue;
        const list = index.get(member)?.get(p) ?? [];
        const steady = gaps(list, e.at - e.steadyMs, e.at, true);
        const during = gaps(list, e.at, end, false);
        figures.steadyGapMs = worst(figures.steadyGapMs, steady.gap);
        figures.steadyStallMs = worst(figures.steadyStallMs, steady.stall);
        figures.gapMs = worst(figures.gapMs, during.gap);
        figures.stallMs = worst(figures.stallMs, during.stall);
        for (const d of list) if (d.at >= e.at && d.at <= end) figures.keptLatencyMs = worst(figures.keptLatencyMs, d.at - d.producedAt);
      }
    }
    const ownerBefore = new Map<number, number>();
    for (const [member, set] of e.before) for (const p of set) ownerBefore.set(p, member);
    let moved = 0;
    for (const [member, set] of e.after) {
      for (const p of set) {
        if (ownerBefore.get(p) === member) continue;
        moved++;
        for (const d of index.get(member)?.get(p) ?? [])
          if (d.at >= e.at && d.at <= end && firsts.has(d)) figures.movedLatencyMs = worst(figures.movedLatencyMs, d.at - d.producedAt);
      }
    }
    return {
      kind: e.kind,
      round: e.round,
      stableMs: e.stableAt - e.at,
      moved,
      ...figures,
      steadyProduceMs: slowest(e.at - e.steadyMs, e.at),
      produceMs: slowest(e.at, end),
      joinerFirstRecordMs: e.kind === "join" && e.subjectFirstRecordAt !== undefined ? e.subjectFirstRecordAt - e.at : undefined,
    };
  });
}

export function correctness(run: RebalanceRun): Correctness {
  const seen = new Map<number, Delivery[]>();
  for (const d of run.deliveries) {
    const k = key(d.partition, d.offset);
    const list = seen.get(k);
    if (list) list.push(d);
    else seen.set(k, [d]);
  }
  let produced = 0;
  let lost = 0;
  for (const [partition, offsets] of run.produced) {
    produced += offsets.length;
    for (const o of offsets) if (!seen.has(key(partition, o))) lost++;
  }
  let duplicates = 0;
  let redeliveredAfterCrash = 0;
  let redeliveredOther = 0;
  const unclean = new Set([run.crashed, ...run.expired]);
  for (const list of seen.values()) {
    if (list.length < 2) continue;
    if (new Set(list.map((d) => d.epoch)).size < list.length) duplicates++;
    else if (list.some((d) => unclean.has(d.member))) redeliveredAfterCrash++;
    else redeliveredOther++;
  }
  return {
    produced,
    processed: seen.size,
    lost,
    duplicates,
    redeliveredAfterCrash,
    redeliveredOther,
    expiredMembers: run.expired.length,
    producerFailures: run.producerFailures,
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
