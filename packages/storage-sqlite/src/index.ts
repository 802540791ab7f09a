// SQLite backend of the storage seam, written against the shape of a Durable Object's
// `ctx.storage` (`sql.exec` + `transactionSync`). Every method is one synchronous transaction, so
// a check and its write (the append's end-offset guard, a document's version) cannot interleave.
// An append writes one row per batch and nothing else (see schema.ts and producer-deltas.ts).

import {
  type AppendRequest,
  checkAppend,
  checkReset,
  type EpochStart,
  emptyPartitionState,
  MAX_BATCH_BYTES,
  type PartitionState,
  RillError,
  type Storage,
  type StoredBatch,
} from "@rill/core";
import { findBatchByTime, readBatches, scanBatches } from "./batch-reads.ts";
import { createLogTables } from "./log-tables.ts";
import { migrateLegacySchema } from "./migrate.ts";
import { offsetAndDocumentMethods } from "./offsets-documents.ts";
import { encodeDelta, foldProducers, loadProducers, replaceProducers } from "./producer-deltas.ts";
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

/** Options of {@link createSqliteStorage}. */
export interface SqliteStorageOptions {
  /**
   * How many appends may carry idempotent producer changes on their batch rows before the changes
   * are folded into the producer table (one more written row per changed producer, once per that
   * many appends). Loading a partition replays at most this many. Default 1000.
   */
  producerFoldEvery?: number;
}

interface PartitionRow {
  log_start: number;
  log_end: number;
  size_bytes: number;
  time_index: number;
  epochs: string;
  producers_through: number;
  /** Batches at or after producers_through that carry producer changes (counted, never stored). */
  pending: number;
}

/** An exact ArrayBuffer of the bytes: SQLite must not store a view's slack. */
function blob(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

function emptyRow(): PartitionRow {
  return { log_start: 0, log_end: 0, size_bytes: 0, time_index: -1, epochs: "[]", producers_through: 0, pending: 0 };
}

/**
 * Creates the storage over a Durable Object's `ctx.storage`. Tables are created if missing, and
 * data written by earlier versions of this backend is moved to the current tables first.
 */
export function createSqliteStorage(host: SqliteHost, options: SqliteStorageOptions = {}): Storage {
  const { sql } = host;
  const foldEvery = Math.max(1, options.producerFoldEvery ?? 1000);
  const tables = host.transactionSync(() => {
    for (const statement of SCHEMA) sql.exec(statement);
    migrateLegacySchema(sql);
    return createLogTables(sql);
  });
  /**
   * Partition rows, cached: this storage is the only writer of its SQLite (one per Durable Object),
   * so an append need not read or write the row. Appends write only their batches; the row is
   * written by the rarer operations that change what batches alone cannot tell (log start, an end
   * past the last batch, epochs, folded producer changes). Loading derives the rest from the batches.
   */
  const rows = new Map<string, PartitionRow>();
  /** Cache updates of the running transaction, applied only once it commits. */
  let onCommit: Array<() => void> = [];
  const tx = <T>(fn: () => T): Promise<T> => {
    onCommit = [];
    try {
      const result = host.transactionSync(fn);
      tables.settle(true);
      for (const apply of onCommit) apply();
      return Promise.resolve(result);
    } catch (error) {
      tables.settle(false);
      return Promise.reject(error);
    } finally {
      onCommit = [];
    }
  };
  const stage = (name: string, row: PartitionRow | undefined) => onCommit.push(() => (row ? rows.set(name, row) : rows.delete(name)));
  const existing = (name: string) => tables.existing(name);

  /** One batch, one written row; `producers` rides on the append's last batch. */
  function insertBatch(table: string, b: StoredBatch, producers: string | null): void {
    sql.exec(
      `INSERT INTO ${table} (last_offset, base_offset, time_index, size, producers, bytes) VALUES (?, ?, ?, ?, ?, ?)`,
      b.lastOffset,
      b.baseOffset,
      b.timeIndex,
      b.bytes.length,
      producers,
      blob(b.bytes),
    );
  }

  /** The partition's row: cached, or read and completed from its batches. */
  function partitionRow(name: string): PartitionRow | undefined {
    const cached = rows.get(name);
    if (cached) return { ...cached };
    const stored = sql
      .exec("SELECT log_start, log_end, epochs, producers_through FROM rill_partitions WHERE name = ?", name)
      .toArray()[0] as Pick<PartitionRow, "log_start" | "log_end" | "epochs" | "producers_through"> | undefined;
    const through = stored?.producers_through ?? 0;
    const table = existing(name);
    const totals = table
      ? (sql
          .exec(
            `SELECT COUNT(*) AS n, COALESCE(MAX(last_offset) + 1, 0) AS log_end, COALESCE(SUM(size), 0) AS size,
               COALESCE(MAX(time_index), -1) AS time_index, COALESCE(SUM(producers IS NOT NULL AND last_offset >= ?), 0) AS pending
             FROM ${table}`,
            through,
          )
          .toArray()[0] as { n: number; log_end: number; size: number; time_index: number; pending: number })
      : { n: 0, log_end: 0, size: 0, time_index: -1, pending: 0 };
    if (!stored && totals.n === 0) return undefined;
    const row: PartitionRow = {
      log_start: stored?.log_start ?? 0,
      log_end: Math.max(stored?.log_end ?? 0, totals.log_end),
      size_bytes: totals.size,
      time_index: totals.time_index,
      epochs: stored?.epochs ?? "[]",
      producers_through: through,
      pending: totals.pending,
    };
    rows.set(name, row);
    return { ...row };
  }

  /** Writes the row; the cache follows only once the transaction commits. */
  function savePartition(name: string, row: PartitionRow): void {
    sql.exec(
      `INSERT INTO rill_partitions (name, log_start, log_end, size_bytes, time_index, epochs, producers_through) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET log_start = excluded.log_start, log_end = excluded.log_end, size_bytes = excluded.size_bytes,
         time_index = excluded.time_index, epochs = excluded.epochs, producers_through = excluded.producers_through`,
      name,
      row.log_start,
      row.log_end,
      row.size_bytes,
      row.time_index,
      row.epochs,
      row.producers_through,
    );
    stage(name, row);
  }

  /** Folds the producer changes carried by batches (and `extra`) into rill_producers; the caller saves the row. */
  function fold(name: string, row: PartitionRow, extra: string | null = null): void {
    foldProducers(sql, name, existing(name), row.producers_through, extra);
    row.producers_through = row.log_end;
    row.pending = 0;
  }

  /** Recomputes size and time index from the batches left after a delete. */
  function refreshTotals(name: string, row: PartitionRow): void {
    const table = existing(name);
    const totals = table
      ? (sql.exec(`SELECT COALESCE(SUM(size), 0) AS size, COALESCE(MAX(time_index), -1) AS time_index FROM ${table}`).toArray()[0] as {
          size: number;
          time_index: number;
        })
      : { size: 0, time_index: -1 };
    row.size_bytes = totals.size;
    row.time_index = totals.time_index;
  }

  return {
    loadPartition: (name) =>
      tx((): PartitionState => {
        const row = partitionRow(name);
        if (!row) return emptyPartitionState();
        return {
          logStartOffset: row.log_start,
          logEndOffset: row.log_end,
          sizeInBytes: row.size_bytes,
          timeIndex: row.time_index,
          producers: loadProducers(sql, name, existing(name), row.producers_through),
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
        const delta = encodeDelta(request.producers, request.expiredProducers ?? []);
        const last = request.batches.length - 1;
        if (last >= 0) {
          const table = tables.ensure(name);
          request.batches.forEach((b, i) => {
            insertBatch(table, b, i === last ? delta : null);
            row.size_bytes += b.bytes.length;
            row.time_index = Math.max(row.time_index, b.timeIndex);
          });
          if (delta) row.pending++;
        }
        // loading derives the end from the last batch; an end past it (a mirror's emptied tail) needs the row
        const endPastBatches = end !== (request.batches.at(-1)?.lastOffset ?? row.log_end - 1) + 1;
        row.log_end = end;
        if (request.epochStart) row.epochs = JSON.stringify([...(JSON.parse(row.epochs) as EpochStart[]), request.epochStart]);
        // a producer change no batch carries, or enough of them that loading would replay too many
        const folding = (delta !== null && last < 0) || row.pending >= foldEvery;
        if (folding) fold(name, row, last < 0 ? delta : null);
        if (request.epochStart || endPastBatches || folding) savePartition(name, row);
        else stage(name, row); // the batches themselves record the new end, size, time index and producers
      }),

    read: (name, fromOffset, maxBytes) => tx(() => readBatches(sql, existing(name), fromOffset, maxBytes)),

    scan: (name, fromOffset, limit) => tx(() => scanBatches(sql, existing(name), fromOffset, limit)),

    findByTime: (name, timestamp) => tx(() => findBatchByTime(sql, existing(name), timestamp)),

    truncateHead: (name, newStartOffset) =>
      tx(() => {
        const row = partitionRow(name) ?? emptyRow();
        const target = Math.min(newStartOffset, row.log_end);
        if (target <= row.log_start) return;
        // producer changes on the batches about to go must survive them
        if (row.pending > 0 && target > row.producers_through) fold(name, row);
        const table = existing(name);
        if (table) sql.exec(`DELETE FROM ${table} WHERE last_offset < ?`, target);
        row.log_start = target;
        refreshTotals(name, row);
        savePartition(name, row);
      }),

    truncateTail: (name, fromOffset, producers) =>
      tx(() => {
        const row = partitionRow(name);
        if (!row || fromOffset >= row.log_end) return;
        replaceProducers(sql, name, producers);
        const table = existing(name);
        if (table) sql.exec(`DELETE FROM ${table} WHERE base_offset >= ?`, fromOffset);
        row.log_end = Math.max(fromOffset, row.log_start);
        row.epochs = JSON.stringify((JSON.parse(row.epochs) as EpochStart[]).filter((e) => e.startOffset < fromOffset));
        // `producers` is the whole state: the changes left on earlier batches are older than it
        row.producers_through = row.log_end;
        row.pending = 0;
        refreshTotals(name, row);
        savePartition(name, row);
      }),

    replace: (name, fromOffset, toOffset, batches) =>
      tx(() => {
        const row = partitionRow(name) ?? emptyRow();
        // the rewritten batches carry no producer changes: fold the ones they would take along
        if (row.pending > 0 && toOffset >= row.producers_through) fold(name, row);
        const table = batches.length > 0 ? tables.ensure(name) : existing(name);
        if (table) {
          sql.exec(`DELETE FROM ${table} WHERE base_offset >= ? AND last_offset <= ?`, fromOffset, toOffset);
          for (const b of batches) insertBatch(table, b, null);
        }
        refreshTotals(name, row);
        savePartition(name, row);
      }),

    resetTo: (name, offset, options) =>
      tx(() => {
        checkReset((partitionRow(name) ?? emptyRow()).log_end, offset, options);
        tables.drop(name);
        sql.exec("DELETE FROM rill_producers WHERE partition = ?", name);
        savePartition(name, { ...emptyRow(), log_start: offset, log_end: offset, producers_through: offset });
      }),

    dropPartition: (name) =>
      tx(() => {
        tables.drop(name);
        sql.exec("DELETE FROM rill_producers WHERE partition = ?", name);
        sql.exec("DELETE FROM rill_partitions WHERE name = ?", name);
        stage(name, undefined);
      }),

    ...offsetAndDocumentMethods(sql, tx),

    async close() {},
  };
}
