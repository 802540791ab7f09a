// Measurement pieces shared by the Node side of the core bench (memory backend) and the bench
// Worker (Durable Object SQLite backend). Runtime-neutral: only ES2022 plus `performance.now()`.

import { encodeBatch, type PartitionLog, type RecordInput } from "@rill/core";

/** One scenario: record value size and records per batch, with the volumes to spend on it. */
export interface ScenarioSpec {
  valueSize: number;
  batchSize: number;
  /** Timed milliseconds per measurement (split over the rounds). */
  minMs: number;
  /** Untimed milliseconds spent first on a throwaway log, to warm the JIT and the allocator. */
  warmupMs: number;
  /** Appends stop early once this many batch bytes are in the log (bounds memory and disk). */
  maxLogBytes: number;
  /** Backend and ceiling alternate (ABBA) over this many rounds, so drift hits both alike. */
  rounds: number;
  /** maxBytes of each read while walking the log. */
  readMaxBytes: number;
}

/** What a timed loop did. */
export interface Measured {
  records: number;
  /** Encoded batch bytes moved (header and record framing included). */
  bytes: number;
  /** Wall time, commit included. */
  ms: number;
  /** Part of `ms` spent waiting for the commit to disk (`finish`). */
  commitMs: number;
  /** Each alternating round's own figures (see alternate()), for ratios that one slow round cannot skew. */
  rounds?: Measured[];
}

/** Backend and ceiling figures of one scenario, for append and for read. */
export interface ScenarioResult {
  batchBytes: number;
  append: { backend: Measured; ceiling: Measured };
  read: { backend: Measured; ceiling: Measured };
  /** SQLite only: the storage backend's append alone (no batch checks), against the same ceiling as append. */
  store?: { backend: Measured; ceiling: Measured };
}

export interface Fixture {
  /** Distinct record lists, one per pooled batch. */
  records: RecordInput[][];
  /** The same lists encoded; every one has the same size. */
  batches: Uint8Array[];
  batchBytes: number;
  now: number;
}

/** Fills with xorshift32 noise: incompressible, deterministic, cheap. */
function fillNoise(out: Uint8Array, seed: number): void {
  let x = seed | 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
}

/**
 * Enough distinct batches that the loops do not replay one hot buffer: about `poolBytes` of them,
 * at least 4. Records carry no key, no headers and no timestamp (so every batch has one size).
 */
export function makeFixture(valueSize: number, batchSize: number, poolBytes = 8 * 1024 * 1024): Fixture {
  const now = 1_764_000_000_000;
  const perBatch = batchSize * (valueSize + 8) + 61;
  const count = Math.max(4, Math.min(256, Math.floor(poolBytes / perBatch)));
  const noise = new Uint8Array(count * batchSize * valueSize);
  fillNoise(noise, 0x9e3779b9);
  const records: RecordInput[][] = [];
  for (let b = 0; b < count; b++) {
    const list: RecordInput[] = [];
    for (let r = 0; r < batchSize; r++) {
      const at = (b * batchSize + r) * valueSize;
      list.push({ value: noise.subarray(at, at + valueSize) });
    }
    records.push(list);
  }
  const batches = records.map((list) => encodeBatch(list, { now }));
  return { records, batches, batchBytes: (batches[0] as Uint8Array).length, now };
}

export const zero = (): Measured => ({ records: 0, bytes: 0, ms: 0, commitMs: 0 });

function add(into: Measured, m: Measured): void {
  into.records += m.records;
  into.bytes += m.bytes;
  into.ms += m.ms;
  into.commitMs += m.commitMs;
}

/** A timed loop: `step(i)` until `ms` have passed or `maxSteps` ran; `finish` (a commit) is timed too. */
export interface Loop {
  step(i: number): unknown;
  /** Records and bytes one step moves (fixed per scenario). */
  recordsPerStep: number;
  bytesPerStep: number;
  finish?: () => Promise<void>;
}

/**
 * Runs `loop` for at least `ms` (whole strides) and at most `maxSteps` steps. Steps that return a
 * promise are awaited; the clock is read every `stride` steps so it does not weigh on tiny steps.
 */
export async function timeLoop(loop: Loop, ms: number, maxSteps: number): Promise<Measured> {
  const stride = loop.recordsPerStep >= 100 ? 1 : 16;
  const t0 = performance.now();
  let i = 0;
  for (;;) {
    for (let k = 0; k < stride && i < maxSteps; k++, i++) {
      const r = loop.step(i);
      if (r instanceof Promise) await r;
    }
    if (i >= maxSteps || performance.now() - t0 >= ms) break;
  }
  const t1 = performance.now();
  if (loop.finish) await loop.finish();
  const t2 = performance.now();
  return { records: i * loop.recordsPerStep, bytes: i * loop.bytesPerStep, ms: t2 - t0, commitMs: t2 - t1 };
}

/** Walks something whole, again and again, for at least `ms`. */
export async function timeWalks(walk: () => Promise<{ records: number; bytes: number }> | { records: number; bytes: number }, ms: number) {
  const total = zero();
  const t0 = performance.now();
  do {
    const r = await walk();
    total.records += r.records;
    total.bytes += r.bytes;
  } while (performance.now() - t0 < ms);
  total.ms = performance.now() - t0;
  return total;
}

/**
 * Alternates two measurements A B B A ... over `rounds` rounds and sums each side, so a slow patch
 * (GC, a checkpoint, a noisy neighbour) is shared rather than landing on one side.
 */
export async function alternate(
  rounds: number,
  a: (round: number) => Promise<Measured>,
  b: (round: number) => Promise<Measured>,
): Promise<{ a: Measured; b: Measured }> {
  const ta: Measured = { ...zero(), rounds: [] };
  const tb: Measured = { ...zero(), rounds: [] };
  const one = async (into: Measured, run: (round: number) => Promise<Measured>, r: number) => {
    const m = await run(r);
    add(into, m);
    into.rounds?.push(m);
  };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      await one(ta, a, r);
      await one(tb, b, r);
    } else {
      await one(tb, b, r);
      await one(ta, a, r);
    }
  }
  return { a: ta, b: tb };
}

/**
 * The median over rounds of A's rate / B's rate (rate: records per ms of `elapsed`). A commit to
 * disk can stall for tens of milliseconds on a shared machine; summed, one such stall moves the
 * whole ratio, while a median of neighbouring A/B pairs shrugs it off.
 */
export function medianRatio(a: Measured, b: Measured, elapsed: (m: Measured) => number = (m) => m.ms): number | undefined {
  const ra = a.rounds ?? [a];
  const rb = b.rounds ?? [b];
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i] as Measured;
    const y = rb[i] as Measured;
    const ex = elapsed(x);
    const ey = elapsed(y);
    if (ex > 0 && ey > 0 && y.records > 0) ratios.push(x.records / ex / (y.records / ey));
  }
  if (ratios.length === 0) return undefined; // no round had time on both sides: no sample
  ratios.sort((p, q) => p - q);
  const mid = ratios.length >> 1;
  return ratios.length % 2 ? (ratios[mid] as number) : ((ratios[mid - 1] as number) + (ratios[mid] as number)) / 2;
}

/** Appends pooled batches through the partition log, copying each (appendBatches stamps in place). */
export function logAppendLoop(log: PartitionLog, fixture: Fixture): Loop {
  const { batches } = fixture;
  const n = batches.length;
  return {
    step: (i) => log.appendBatches((batches[i % n] as Uint8Array).slice()),
    recordsPerStep: fixture.records[0]?.length ?? 0,
    bytesPerStep: fixture.batchBytes,
  };
}

/** Reads the whole log from its start, `maxBytes` at a time. */
export async function walkLog(log: PartitionLog, maxBytes: number): Promise<{ records: number; bytes: number }> {
  const state = await log.state();
  let offset = state.logStartOffset;
  let bytes = 0;
  while (offset < state.highWatermark) {
    const r = await log.read(offset, { maxBytes });
    for (const b of r.batches) bytes += b.bytes.length;
    offset = r.nextOffset;
  }
  return { records: state.highWatermark - state.logStartOffset, bytes };
}
