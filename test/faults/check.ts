// The checker's verdict, from what producers were told and what a consumer reads back afterwards.
// Acknowledged-but-lost, duplicates and per-partition order violations must all be zero;
// unacknowledged-but-present is allowed (a write can land and its answer be lost).

export interface Acked {
  id: string;
  producer: number;
  /** Send order within its producer. */
  seq: number;
  partition: number;
  offset: number;
}

export interface ReadRecord {
  id: string;
  partition: number;
  offset: number;
}

export interface Verdict {
  attempted: number;
  acknowledged: number;
  read: number;
  acknowledgedButLost: string[];
  duplicates: string[];
  orderViolations: string[];
  unacknowledgedButPresent: number;
  /** Acknowledged at one offset, read at another: an offset changed after it was promised. */
  movedOffsets: string[];
}

/** Ids look like "p<producer>-<seq>". */
export function parseId(id: string): { producer: number; seq: number } | null {
  const m = /^p(\d+)-(\d+)$/.exec(id);
  return m ? { producer: Number(m[1]), seq: Number(m[2]) } : null;
}

export function check(attempted: number, acked: readonly Acked[], read: readonly ReadRecord[]): Verdict {
  const seen = new Map<string, ReadRecord[]>();
  for (const r of read) seen.set(r.id, [...(seen.get(r.id) ?? []), r]);
  const ackedIds = new Set(acked.map((a) => a.id));
  const lost = acked.filter((a) => !seen.has(a.id)).map((a) => a.id);
  const moved = acked
    .filter((a) => seen.has(a.id) && !seen.get(a.id)?.some((r) => r.partition === a.partition && r.offset === a.offset))
    .map((a) => a.id);
  const duplicates = [...seen].filter(([, copies]) => copies.length > 1).map(([id]) => id);
  // within one partition, each producer's records must appear in the order it sent them
  const orderViolations: string[] = [];
  const last = new Map<string, { seq: number; id: string }>();
  for (const r of [...read].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    const parsed = parseId(r.id);
    if (!parsed) continue;
    const key = `${r.partition}/${parsed.producer}`;
    const before = last.get(key);
    if (before && before.seq >= parsed.seq) orderViolations.push(`${before.id} before ${r.id} in partition ${r.partition}`);
    last.set(key, { seq: parsed.seq, id: r.id });
  }
  return {
    attempted,
    acknowledged: acked.length,
    read: read.length,
    acknowledgedButLost: lost,
    duplicates,
    orderViolations,
    unacknowledgedButPresent: [...seen.keys()].filter((id) => !ackedIds.has(id)).length,
    movedOffsets: moved,
  };
}

export function formatVerdict(v: Verdict): string {
  const sample = (xs: string[]) => (xs.length ? ` (e.g. ${xs.slice(0, 3).join(", ")})` : "");
  return [
    `attempted:                     ${v.attempted}`,
    `acknowledged:                  ${v.acknowledged}`,
    `read back:                     ${v.read}`,
    `acknowledged-but-lost:         ${v.acknowledgedButLost.length}${sample(v.acknowledgedButLost)}`,
    `duplicates:                    ${v.duplicates.length}${sample(v.duplicates)}`,
    `per-partition order violations: ${v.orderViolations.length}${sample(v.orderViolations)}`,
    `acknowledged offsets moved:    ${v.movedOffsets.length}${sample(v.movedOffsets)}`,
    `unacknowledged-but-present:    ${v.unacknowledgedButPresent} (allowed)`,
  ].join("\n");
}
