// What a partition object costs on Cloudflare's bill, counted where it happens: Durable Object
// requests and the SQL cursors' rowsRead / rowsWritten (what SQLite-backed objects are charged by).
// The counters ride on a thin wrapper of ctx.storage (an array push per statement); they are read
// over RPC only (PartitionObject.debugMetrics), never through a public route.
import type { SqliteHost } from "@rill/storage-sqlite";

export interface ObjectMetrics {
  /** Calls into the object (RPCs and tail upgrades) since it started. */
  requests: number;
  rowsRead: number;
  rowsWritten: number;
}

/** ctx.storage as the SQLite backend wants it, adding each transaction's cursor counts to `metrics`. */
export function countingSqliteHost(storage: DurableObjectStorage, metrics: ObjectMetrics): SqliteHost {
  let cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  // a cursor's counts grow as it is read, so they are added up once its transaction is over
  const settle = () => {
    for (const cursor of cursors) {
      metrics.rowsRead += cursor.rowsRead;
      metrics.rowsWritten += cursor.rowsWritten;
    }
    cursors = [];
  };
  return {
    sql: {
      exec(query: string, ...bindings: unknown[]) {
        const cursor = storage.sql.exec(query, ...bindings);
        cursors.push(cursor);
        return cursor;
      },
    },
    transactionSync<T>(fn: () => T): T {
      try {
        return storage.transactionSync(fn);
      } finally {
        settle();
      }
    },
  };
}
