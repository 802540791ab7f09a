// Kafka's default partitioner: murmur2 of the key bytes, made positive, modulo the partition count.
// Keyless records stick to one partition per batch and move on round-robin (KIP-480), so a batch is
// not scattered over every partition.

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] as number) | ((data[i4 + 1] as number) << 8) | ((data[i4 + 2] as number) << 16) | ((data[i4 + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  // the tail bytes fold in from the highest down, as Java's fall-through switch does
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2] as number) << 16;
  if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[tail] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's toPositive: clears the sign bit (not Math.abs, which breaks on MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a key. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount;
}

export interface StickyPartitioner {
  /** Partition for a keyless record: the same until next() moves on. */
  current(partitionCount: number): number;
  /** Moves to the next partition (called when a batch is sent). */
  next(): void;
}

export function createStickyPartitioner(start = Math.floor(Math.random() * 0x7fffffff)): StickyPartitioner {
  let counter = start;
  return {
    current: (partitionCount) => counter % partitionCount,
    next: () => {
      counter = (counter + 1) % 0x7fffffff;
    },
  };
}
