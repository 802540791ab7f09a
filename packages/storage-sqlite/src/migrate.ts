// Upgrades a database written by earlier versions of this backend, inside the transaction that
// opens the storage: either all of it lands or none, and a database already upgraded is left as is.
// Before: every partition's batches in one table, rill_batches, keyed by (partition, last_offset),
// which cost two written rows per batch (the row and its primary-key index entry).

import type { SqlLike } from "./index.ts";
import { logTableDdl, logTableName } from "./schema.ts";

function tableExists(sql: SqlLike, name: string): boolean {
  return sql.exec("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;
}

/** Runs after SCHEMA, in the same transaction. */
export function migrateLegacySchema(sql: SqlLike): void {
  const through = sql
    .exec("SELECT COUNT(*) AS n FROM pragma_table_info('rill_partitions') WHERE name = 'producers_through'")
    .toArray()[0] as { n: number };
  // every producer change of an older database is in rill_producers already: nothing to fold from 0
  if (through.n === 0) sql.exec("ALTER TABLE rill_partitions ADD COLUMN producers_through INTEGER NOT NULL DEFAULT 0");

  if (!tableExists(sql, "rill_batches")) return;
  const partitions = sql.exec("SELECT DISTINCT partition FROM rill_batches").toArray() as Array<{ partition: string }>;
  for (const { partition } of partitions) {
    const table = logTableName(partition);
    sql.exec(logTableDdl(table));
    sql.exec(
      `INSERT INTO ${table} (last_offset, base_offset, time_index, size, bytes)
       SELECT last_offset, base_offset, time_index, size, bytes FROM rill_batches WHERE partition = ?`,
      partition,
    );
  }
  sql.exec("DROP TABLE rill_batches");
}
