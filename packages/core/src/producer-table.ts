// A partition's idempotent producers in memory, expired as Kafka expires them: an entry idle for
// longer than producer.id.expiration.ms is forgotten, and its stored row is deleted by the next
// append (in the same transaction). So the table holds the producers active within that window,
// however many have ever written, and an append never walks all of them: expiry looks at most
// once per check interval (a tenth of the expiration, at most a minute).

import type { ProducerEntry } from "./storage.ts";

export interface ProducerTable {
  get(producerId: number): ProducerEntry | undefined;
  /** Replaces the table with stored entries, keeping only those not expired at `time`. */
  load(entries: ProducerEntry[], time: number): void;
  /** Ids whose stored entries the append being prepared should delete (never one of `writing`). */
  expiring(time: number, writing: ReadonlyMap<number, ProducerEntry>): number[];
  /** The append stored `written` and deleted `expired`. */
  committed(written: ReadonlyMap<number, ProducerEntry>, expired: number[]): void;
  clear(): void;
  readonly size: number;
}

export function createProducerTable(expirationMs: () => number): ProducerTable {
  let entries = new Map<number, ProducerEntry>();
  /** Forgotten (or due) ids whose stored rows are still to be deleted. */
  const expired = new Set<number>();
  let checkedAt = 0;

  return {
    get: (producerId) => entries.get(producerId),
    load(stored, time) {
      const horizon = time - expirationMs();
      entries = new Map();
      expired.clear();
      for (const p of stored) {
        if (p.lastTimestamp >= horizon) entries.set(p.producerId, p);
        else expired.add(p.producerId);
      }
      checkedAt = time;
    },
    expiring(time, writing) {
      const ms = expirationMs();
      if (time - checkedAt >= Math.min(60_000, ms / 10)) {
        checkedAt = time;
        for (const p of entries.values()) if (p.lastTimestamp < time - ms) expired.add(p.producerId);
      }
      // a producer writing now is alive again: its entry is the one this append stores
      for (const id of writing.keys()) expired.delete(id);
      return expired.size === 0 ? [] : [...expired];
    },
    committed(written, gone) {
      for (const id of gone) {
        entries.delete(id);
        expired.delete(id);
      }
      for (const [id, entry] of written) entries.set(id, entry);
    },
    clear() {
      entries = new Map();
      expired.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
