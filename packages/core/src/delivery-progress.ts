// Where a push subscription stands in one partition, and how each delivery's outcome moves it.
// Pure and plain JSON, so a runtime persists it as it is and any instance resumes from it.
//
// Order: one batch per partition at a time, and a batch always starts with the partition's oldest
// unfinished record, so a record is never handed out before every earlier one was either done or
// handed out with it. A failed record holds its partition (backoff) until it is done or, after
// maxRetries failures, dead-lettered: a poison record delays its partition, never blocks it.
//
// Blame: a failure counts against a record only when the outcome names it — the handler retried it,
// or it was the one record the failed delivery left unprocessed. A batch that failed as a whole
// with several unprocessed records names none of them; the partition then delivers one record at a
// time up to the end of that batch, which finds the culprit without charging its neighbours.

/** What became of one delivery. */
export type DeliveryOutcome =
  /** The handler ran: what it acknowledged and retried; `error` when it failed (the rest unprocessed). */
  | { kind: "handled"; acked: number[]; retried: Array<{ offset: number; delaySeconds?: number }>; error?: string }
  /** The target answered without a per-record verdict: it threw, timed out, or answered an error. */
  | { kind: "failed"; error: string }
  /** The target was not reached (refused, unavailable, misconfigured): no record is charged. */
  | { kind: "unreachable"; error: string; retryAfterMs?: number };

export interface RetryPolicy {
  /** Failures a record may have; the next one dead-letters it. */
  maxRetries: number;
  /** First retry delay; doubles per failure. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export interface DeliveryProgress {
  topic: string;
  partition: number;
  /** Offsets in [position, scanned) are done unless pending; position is what the group commits. */
  position: number;
  scanned: number;
  /** Handed out and not done yet, ascending. */
  pending: number[];
  /** Deliveries so far of each pending offset. */
  attempts: Record<string, number>;
  /** Failures charged so far to each pending offset. */
  failures: Record<string, number>;
  /** Deliver one record at a time below this offset (narrowing down a failed batch), or null. */
  isolateBelow: number | null;
  /** No delivery before this time (ms). */
  notBefore: number;
  /** Deliveries in a row that did not reach the target. */
  unreachable: number;
  /** The batch being delivered. Still set after a crash: its records count as delivered once more. */
  inFlight: { deliveryId: string; offsets: number[]; startedAt: number } | null;
  /** Records that used up their retries and wait for their append to the dead-letter topic. */
  deadLetters: Array<{ offset: number; error: string; attempts: number }>;
}

/** What a completed delivery changed, for the subscription's counters. */
export interface DeliveryTally {
  acked: number;
  /** Failures charged to records by this outcome. */
  retried: number;
  /** Records that just used up their retries (now in `deadLetters`). */
  exhausted: number;
}

export function newDeliveryProgress(topic: string, partition: number, position: number): DeliveryProgress {
  return {
    topic,
    partition,
    position,
    scanned: position,
    pending: [],
    attempts: {},
    failures: {},
    isolateBelow: null,
    notBefore: 0,
    unreachable: 0,
    inFlight: null,
    deadLetters: [],
  };
}

/**
 * The progress to continue from when a partition is (re)taken at the group's committed offset. Kept
 * when it starts there (a restart of the same owner: attempts and failures live on); otherwise
 * someone else moved the offset (another owner, an admin reset) and the partition starts afresh.
 * A batch that was in flight is simply forgotten: its records are pending and go out again.
 */
export function resumeDeliveryProgress(
  stored: DeliveryProgress | undefined,
  topic: string,
  partition: number,
  committed: number,
): DeliveryProgress {
  if (!stored || stored.position !== committed) return newDeliveryProgress(topic, partition, committed);
  return { ...stored, inFlight: null, deadLetters: [...stored.deadLetters] };
}

/** Where the next read starts: the oldest pending record, else the first record not handed out. */
export function nextReadOffset(p: DeliveryProgress): number {
  return p.pending[0] ?? p.scanned;
}

/**
 * The offsets of the next batch among records read from `nextReadOffset` (ascending): pending ones
 * and ones never handed out, at most `batchSize` (one while a failed batch is narrowed down).
 * Records waiting for the dead-letter topic are not delivered again.
 */
export function chooseBatch(p: DeliveryProgress, offsets: readonly number[], batchSize: number): number[] {
  const pending = new Set(p.pending);
  const dead = new Set(p.deadLetters.map((d) => d.offset));
  const chosen: number[] = [];
  for (const offset of offsets) {
    if (dead.has(offset) || (offset < p.scanned && !pending.has(offset))) continue;
    if (chosen.length === 0 && p.isolateBelow !== null && offset < p.isolateBelow) return [offset];
    if (chosen.length > 0 && p.isolateBelow !== null && offset < p.isolateBelow) break;
    chosen.push(offset);
    if (chosen.length >= batchSize) break;
  }
  return chosen;
}

/** A read found nothing to deliver before `nextOffset` (compaction removed those offsets): they are done. */
export function skipTo(p: DeliveryProgress, nextOffset: number): void {
  if (nextOffset > p.scanned) p.scanned = nextOffset;
  settlePosition(p);
}

/** Records the start of a delivery: its records are pending and counted as delivered once more. */
export function beginDelivery(p: DeliveryProgress, offsets: readonly number[], deliveryId: string, now: number): Record<number, number> {
  const attempts: Record<number, number> = {};
  const pending = new Set(p.pending);
  for (const offset of offsets) {
    pending.add(offset);
    const n = (p.attempts[offset] ?? 0) + 1;
    p.attempts[offset] = n;
    attempts[offset] = n;
  }
  p.pending = [...pending].sort((a, b) => a - b);
  const last = offsets[offsets.length - 1];
  if (last !== undefined && last + 1 > p.scanned) p.scanned = last + 1;
  p.inFlight = { deliveryId, offsets: [...offsets], startedAt: now };
  return attempts;
}

/** Exponential backoff with jitter: base × 2^(n-1), capped, then scaled by a random 50–100 %. */
export function backoffMs(failures: number, policy: Pick<RetryPolicy, "retryDelayMs" | "maxRetryDelayMs">, random: number): number {
  const exponential = policy.retryDelayMs * 2 ** Math.max(0, Math.min(failures - 1, 40));
  return Math.round(Math.min(policy.maxRetryDelayMs, exponential) * (0.5 + random / 2));
}

/** Applies the outcome of the in-flight delivery. */
export function completeDelivery(
  p: DeliveryProgress,
  outcome: DeliveryOutcome,
  policy: RetryPolicy,
  now: number,
  random: () => number,
): DeliveryTally {
  const offsets = p.inFlight?.offsets ?? [];
  p.inFlight = null;
  const tally: DeliveryTally = { acked: 0, retried: 0, exhausted: 0 };
  if (outcome.kind === "unreachable") {
    // never delivered: the attempt does not count, and neither does a failure
    for (const offset of offsets) if (p.attempts[offset]) p.attempts[offset] -= 1;
    p.unreachable += 1;
    p.notBefore = now + Math.max(outcome.retryAfterMs ?? 0, backoffMs(p.unreachable, policy, random()));
    return tally;
  }
  p.unreachable = 0;
  const inBatch = new Set(offsets);
  const done = new Set<number>();
  const charged: Array<{ offset: number; delayMs: number }> = [];
  let unprocessed: number[] = [];
  if (outcome.kind === "handled") {
    const retried = new Map(outcome.retried.filter((r) => inBatch.has(r.offset)).map((r) => [r.offset, (r.delaySeconds ?? 0) * 1000]));
    for (const offset of outcome.acked) if (inBatch.has(offset) && !retried.has(offset)) done.add(offset);
    for (const [offset, delayMs] of retried) charged.push({ offset, delayMs });
    const unmarked = offsets.filter((o) => !done.has(o) && !retried.has(o));
    if (outcome.error === undefined) for (const o of unmarked) done.add(o);
    else unprocessed = unmarked;
  } else {
    unprocessed = offsets.filter((o) => !done.has(o));
  }
  // a failure with exactly one unprocessed record (and no explicit retries) names that record
  if (charged.length === 0 && unprocessed.length === 1) charged.push({ offset: unprocessed[0] as number, delayMs: 0 });
  else if (unprocessed.length > 1) p.isolateBelow = Math.max(p.isolateBelow ?? 0, (unprocessed[unprocessed.length - 1] as number) + 1);

  tally.acked = done.size;
  let wait = 0;
  for (const { offset, delayMs } of charged) {
    const failures = (p.failures[offset] ?? 0) + 1;
    p.failures[offset] = failures;
    tally.retried += 1;
    if (failures > policy.maxRetries) {
      p.deadLetters.push({
        offset,
        error: outcome.kind === "handled" ? (outcome.error ?? "retried by the handler") : outcome.error,
        attempts: p.attempts[offset] ?? failures,
      });
      tally.exhausted += 1;
    } else {
      wait = Math.max(wait, delayMs, backoffMs(failures, policy, random()));
    }
  }
  p.notBefore = wait > 0 ? now + wait : 0;
  finish(p, done);
  if (p.isolateBelow !== null && nextReadOffset(p) >= p.isolateBelow) p.isolateBelow = null;
  return tally;
}

/** Dead-lettered records (appended to the dead-letter topic, or dropped) are done. */
export function finishDeadLetters(p: DeliveryProgress, offsets: readonly number[]): void {
  const gone = new Set(offsets);
  p.deadLetters = p.deadLetters.filter((d) => !gone.has(d.offset));
  finish(p, gone);
}

function finish(p: DeliveryProgress, done: ReadonlySet<number>): void {
  if (done.size > 0) {
    p.pending = p.pending.filter((o) => !done.has(o));
    for (const o of done) {
      delete p.attempts[o];
      delete p.failures[o];
    }
  }
  settlePosition(p);
}

function settlePosition(p: DeliveryProgress): void {
  const waiting = p.deadLetters.length > 0 ? Math.min(...p.deadLetters.map((d) => d.offset)) : Number.POSITIVE_INFINITY;
  p.position = Math.min(p.pending[0] ?? p.scanned, waiting);
}
