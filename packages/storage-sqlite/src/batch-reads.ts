// The read side of a partition's batch table: reads, metadata scans and the time lookup. Each runs
// inside the caller's transaction; a partition without a table has no batches.

import type { BatchMeta, StoredBatch } from "@rill/core";
import type { SqlLike, SqlValue } from "./index.ts";

function toBatch(row: Record<string, SqlValue>): StoredBatch {
  return {
    baseOffset: row.base_offset as number,
    lastOffset: row.last_offset as number,
    timeIndex: row.time_index as number,
    // workerd hands every row a fresh ArrayBuffer: no copy needed
    bytes: new Uint8Array(row.bytes as ArrayBuffer),
  };
}

/** Batches with lastOffset >= fromOffset until their size reaches maxBytes (at least one). */
export function readBatches(sql: SqlLike, table: string | undefined, fromOffset: number, maxBytes: number): StoredBatch[] {
  const out: StoredBatch[] = [];
  if (!table) return out;
  let size = 0;
  const cursor = sql.exec(
    `SELECT base_offset, last_offset, time_index, bytes FROM ${table} WHERE last_offset >= ? ORDER BY last_offset`,
    fromOffset,
  );
  for (const row of cursor) {
    const batch = toBatch(row);
    out.push(batch);
    size += batch.bytes.length;
    if (size >= maxBytes) break;
  }
  return out;
}

export function scanBatches(sql: SqlLike, table: string | undefined, fromOffset: number, limit: number): BatchMeta[] {
  if (!table) return [];
  return sql
    .exec(
      `SELECT base_offset, last_offset, time_index, size FROM ${table} WHERE last_offset >= ? ORDER BY last_offset LIMIT ?`,
      fromOffset,
      limit,
    )
    .toArray()
    .map(
      (r): BatchMeta => ({
        baseOffset: r.base_offset as number,
        lastOffset: r.last_offset as number,
        timeIndex: r.time_index as number,
        sizeInBytes: r.size as number,
      }),
    );
}

/**
 * The first batch whose time index reaches `timestamp`: time_index never falls along offsets, so a
 * binary search over the key finds it without an index of its own.
 */
export function findBatchByTime(sql: SqlLike, table: string | undefined, timestamp: number): StoredBatch | null {
  if (!table) return null;
  const at = (offset: number) =>
    sql.exec(`SELECT last_offset, time_index FROM ${table} WHERE last_offset >= ? ORDER BY last_offset LIMIT 1`, offset).toArray()[0] as
      | { last_offset: number; time_index: number }
      | undefined;
  const bounds = sql.exec(`SELECT MIN(last_offset) AS lo, MAX(last_offset) AS hi FROM ${table}`).toArray()[0] as {
    lo: number | null;
    hi: number | null;
  };
  if (bounds.lo === null || bounds.hi === null || (at(bounds.hi)?.time_index ?? -1) < timestamp) return null;
  let lo = bounds.lo;
  let hi = bounds.hi;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (((at(mid) as { time_index: number }).time_index ?? -1) >= timestamp) hi = mid;
    else lo = mid + 1;
  }
  const row = sql
    .exec(`SELECT base_offset, last_offset, time_index, bytes FROM ${table} WHERE last_offset >= ? ORDER BY last_offset LIMIT 1`, lo)
    .toArray()[0];
  return row ? toBatch(row) : null;
}
