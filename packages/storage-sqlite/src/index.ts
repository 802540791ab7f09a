// SQLite backend of the storage seam, written against the shape of a Durable Object's
// `ctx.storage` (`sql.exec` + `transactionSync`). Every method is one synchronous transaction, so
// a check and its write (the append's end-offset guard, a document's version) cannot interleave.

import {
  type AppendRequest,
  type BatchMeta,
  checkAppend,
  checkReset,
  type EpochStart,
  emptyPartitionState,
  MAX_BATCH_BYTES,
  type PartitionState,
  type ProducerEntry,
  RillError,
  type Storage,
  type StoredBatch,
} from "@rill/core";
import { offsetAndDocumentMethods } from "./offsets-documents.ts";
import { SCHEMA } from "./schema.ts";

export type SqlValue = ArrayBuffer | string | number | null;

/** The part of a Durable Object's `SqlStorage` this backend uses. */
export interface SqlLike {
  exec(query: string, ...bindings: unknown[]): Iterable<Record<string, SqlValue>> & { toArray(): Record<string, SqlValue>[] };
}

/** The part of a Durable Object's `ctx.storage` this backend uses. */
export interface SqliteHost {
  sql: SqlLike;
  transactionSync<T>(fn: () => T): T;
}

interface PartitionRow {
  log_start: number;
  log_end: number;
  size_bytes: number;
  time_index: number;
  epochs: string;
}

/** An exact ArrayBuffer of the bytes: SQLite must not store a view's slack. */
function blob(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

function toBatch(row: Record<string, SqlValue>): StoredBatch {
  return {
    baseOffset: row.base_offset as number,
    lastOffset: row.last_offset as number,
    timeIndex: row.time_index as number,
    // workerd hands every row a fresh ArrayBuffer: no copy needed
    bytes: new Uint8Array(row.bytes as ArrayBuffer),
  };
}

/** Creates the storage over a Durable Object's `ctx.storage` (tables are created if missing). */
export function createSqliteStorage(host: SqliteHost): Storage {
  const { sql } = host;
  host.transactionSync(() => {
    for (const statement of SCHEMA) sql.exec(statement);
  });
  /**
   * Partition rows, cached: this storage is the only writer of its SQLite (one per Durable Object),
   * so an append need not read or write the row. Appends write only their batch (and producer state);
   * the row is written by the rarer operations that change what batches alone cannot tell (log start,
   * an end past the last batch, epochs). Loading derives the rest from the batches.
   */
  const rows = new Map<string, PartitionRow>();
  /** Row changes made inside the running transaction, cached only once it commits. */
  let staged: Array<[string, PartitionRow | undefined]> = [];
  const stage = (name: string, row: PartitionRow | undefined) => staged.push([name, row]);
  const tx = <T>(fn: () => T): Promise<T> => {
    staged = [];
    try {
      const result = host.transactionSync(fn);
      for (const [name, row] of staged) row ? rows.set(name, row) : rows.delete(name);
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    } finally {
      staged = [];
    }
  };

  /** One batch, one row. */
  function insertBatch(name: string, b: StoredBatch): void {
    sql.exec(
      "INSERT INTO rill_batches (partition, last_offset, base_offset, time_index, size, bytes) VALUES (?, ?, ?, ?, ?, ?)",
      name,
      b.lastOffset,
      b.baseOffset,
      b.timeIndex,
      b.bytes.length,
      blob(b.bytes),
    );
  }

  /** The partition's row: cached, or read and completed from its batches. */
  function partitionRow(name: string): PartitionRow | undefined {
    const cached = rows.get(name);
    if (cached) return { ...cached };
    const stored = sql.exec("SELECT log_start, log_end, epochs FROM rill_partitions WHERE name = ?", name).toArray()[0] as
      | Pick<PartitionRow, "log_start" | "log_end" | "epochs">
      | undefined;
    const totals = sql
      .exec(
        `SELECT COUNT(*) AS n, COALESCE(MAX(last_offset) + 1, 0) AS log_end, COALESCE(SUM(size), 0) AS size, COALESCE(MAX(time_index), -1) AS time_index
         FROM rill_batches WHERE partition = ?`,
        name,
      )
      .toArray()[0] as { n: number; log_end: number; size: number; time_index: number };
    if (!stored && totals.n === 0) return undefined;
    const row: PartitionRow = {
      log_start: stored?.log_start ?? 0,
      log_end: Math.max(stored?.log_end ?? 0, totals.log_end),
      size_bytes: totals.size,
      time_index: totals.time_index,
      epochs: stored?.epochs ?? "[]",
    };
    rows.set(name, row);
    return { ...row };
  }

  /** Writes the row; the cache follows only once the transaction commits (see commit()). */
  function savePartition(name: string, row: PartitionRow): void {
    sql.exec(
      `INSERT INTO rill_partitions (name, log_start, log_end, size_bytes, time_index, epochs) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET log_start = excluded.log_start, log_end = excluded.log_end,
         size_bytes = excluded.size_bytes, time_index = excluded.time_index, epochs = excluded.epochs`,
      name,
      row.log_start,
      row.log_end,
      row.size_bytes,
      row.time_index,
      row.epochs,
    );
    stage(name, row);
  }

  function emptyRow(): PartitionRow {
    return { log_start: 0, log_end: 0, size_bytes: 0, time_index: -1, epochs: "[]" };
  }

  /** Recomputes size and time index from the batches left after a delete. */
  function refreshTotals(name: string, row: PartitionRow): void {
    const totals = sql
      .exec(
        "SELECT COALESCE(SUM(size), 0) AS size, COALESCE(MAX(time_index), -1) AS time_index FROM rill_batches WHERE partition = ?",
        name,
      )
      .toArray()[0] as { size: number; time_index: number };
    row.size_bytes = totals.size;
    row.time_index = totals.time_index;
  }

  return {
    loadPartition: (name) =>
      tx((): PartitionState => {
        const row = partitionRow(name);
        if (!row) return emptyPartitionState();
        const producers = sql
          .exec("SELECT state FROM rill_producers WHERE partition = ? ORDER BY producer_id", name)
          .toArray()
          .map((r) => JSON.parse(r.state as string) as ProducerEntry);
        return {
          logStartOffset: row.log_start,
          logEndOffset: row.log_end,
          sizeInBytes: row.size_bytes,
          timeIndex: row.time_index,
          producers,
          epochs: JSON.parse(row.epochs) as EpochStart[],
        };
      }),

    append: (name, request: AppendRequest) =>
      tx(() => {
        const row = partitionRow(name) ?? emptyRow();
        const end = checkAppend(row.log_end, request);
        for (const b of request.batches) {
          if (b.bytes.length > MAX_BATCH_BYTES) {
            throw new RillError("MESSAGE_TOO_LARGE", `a ${b.bytes.length}-byte batch exceeds the ${MAX_BATCH_BYTES}-byte row limit`);
          }
        }
        for (const b of request.batches) {
          insertBatch(name, b);
          row.size_bytes += b.bytes.length;
          row.time_index = Math.max(row.time_index, b.timeIndex);
        }
        for (const id of request.expiredProducers ?? []) {
          sql.exec("DELETE FROM rill_producers WHERE partition = ? AND producer_id = ?", name, id);
        }
        for (const p of request.producers) {
          sql.exec(
            "INSERT INTO rill_producers (partition, producer_id, state) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET state = excluded.state",
            name,
            p.producerId,
            JSON.stringify(p),
          );
        }
        // loading derives the end from the last batch; an end past it (a mirror's emptied tail) needs the row
        const endPastBatches = end !== (request.batches.at(-1)?.lastOffset ?? row.log_end - 1) + 1;
        row.log_end = end;
        if (request.epochStart) row.epochs = JSON.stringify([...(JSON.parse(row.epochs) as EpochStart[]), request.epochStart]);
        if (request.epochStart || endPastBatches) savePartition(name, row);
        else stage(name, row); // the batch itself records the new end, size and time index
      }),

    read: (name, fromOffset, maxBytes) =>
      tx(() => {
        const out: StoredBatch[] = [];
        let size = 0;
        const cursor = sql.exec(
          "SELECT base_offset, last_offset, time_index, bytes FROM rill_batches WHERE partition = ? AND last_offset >= ? ORDER BY last_offset",
          name,
          fromOffset,
        );
        for (const row of cursor) {
          const batch = toBatch(row);
          out.push(batch);
          size += batch.bytes.length;
          if (size >= maxBytes) break;
        }
        return out;
      }),

    scan: (name, fromOffset, limit) =>
      tx(() =>
        sql
          .exec(
            `SELECT base_offset, last_offset, time_index, size FROM rill_batches
             WHERE partition = ? AND last_offset >= ? ORDER BY last_offset LIMIT ?`,
            name,
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
          ),
      ),

    findByTime: (name, timestamp) =>
      tx(() => {
        // the first batch whose time index reaches `timestamp`: time_index never falls along
        // offsets, so a binary search over offsets needs only the primary key
        const at = (offset: number) =>
          sql
            .exec(
              "SELECT last_offset, time_index FROM rill_batches WHERE partition = ? AND last_offset >= ? ORDER BY last_offset LIMIT 1",
              name,
              offset,
            )
            .toArray()[0] as { last_offset: number; time_index: number } | undefined;
        const bounds = sql
          .exec("SELECT MIN(last_offset) AS lo, MAX(last_offset) AS hi FROM rill_batches WHERE partition = ?", name)
          .toArray()[0] as {
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
          .exec(
            "SELECT base_offset, last_offset, time_index, bytes FROM rill_batches WHERE partition = ? AND last_offset >= ? ORDER BY last_offset LIMIT 1",
            name,
            lo,
          )
          .toArray()[0];
        return row ? toBatch(row) : null;
      }),

    truncateHead: (name, newStartOffset) =>
      tx(() => {
        const row = partitionRow(name) ?? emptyRow();
        const target = Math.min(newStartOffset, row.log_end);
        if (target <= row.log_start) return;
        sql.exec("DELETE FROM rill_batches WHERE partition = ? AND last_offset < ?", name, target);
        row.log_start = target;
        refreshTotals(name, row);
        savePartition(name, row);
      }),

    truncateTail: (name, fromOffset, producers) =>
      tx(() => {
        const row = partitionRow(name);
        if (!row || fromOffset >= row.log_end) return;
        sql.exec("DELETE FROM rill_producers WHERE partition = ?", name);
        for (const p of producers) {
          sql.exec("INSERT INTO rill_producers (partition, producer_id, state) VALUES (?, ?, ?)", name, p.producerId, JSON.stringify(p));
        }
        sql.exec("DELETE FROM rill_batches WHERE partition = ? AND base_offset >= ?", name, fromOffset);
        row.log_end = Math.max(fromOffset, row.log_start);
        row.epochs = JSON.stringify((JSON.parse(row.epochs) as EpochStart[]).filter((e) => e.startOffset < fromOffset));
        refreshTotals(name, row);
        savePartition(name, row);
      }),

    replace: (name, fromOffset, toOffset, batches) =>
      tx(() => {
        const row = partitionRow(name) ?? emptyRow();
        sql.exec("DELETE FROM rill_batches WHERE partition = ? AND base_offset >= ? AND last_offset <= ?", name, fromOffset, toOffset);
        for (const b of batches) {
          insertBatch(name, b);
        }
        refreshTotals(name, row);
        savePartition(name, row);
      }),

    resetTo: (name, offset, options) =>
      tx(() => {
        checkReset((partitionRow(name) ?? emptyRow()).log_end, offset, options);
        sql.exec("DELETE FROM rill_batches WHERE partition = ?", name);
        sql.exec("DELETE FROM rill_producers WHERE partition = ?", name);
        savePartition(name, { log_start: offset, log_end: offset, size_bytes: 0, time_index: -1, epochs: "[]" });
      }),

    dropPartition: (name) =>
      tx(() => {
        sql.exec("DELETE FROM rill_batches WHERE partition = ?", name);
        sql.exec("DELETE FROM rill_producers WHERE partition = ?", name);
        sql.exec("DELETE FROM rill_partitions WHERE name = ?", name);
        stage(name, undefined);
      }),

    ...offsetAndDocumentMethods(sql, tx),

    async close() {},
  };
}
