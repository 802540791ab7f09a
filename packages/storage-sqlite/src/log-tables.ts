// Which partitions have a batch table (schema.ts), known without asking SQLite on every call: the
// names found when the storage opened, then the tables each committed transaction created or dropped.
// A transaction that fails leaves the set as it was, as SQLite leaves the tables.

import type { SqlLike } from "./index.ts";
import { LOG_TABLE_PREFIX, logTableDdl, logTableName } from "./schema.ts";

export interface LogTables {
  /** The partition's batch table, if it has one (one created by the running transaction included). */
  existing(partition: string): string | undefined;
  /** The partition's batch table, created if missing. */
  ensure(partition: string): string;
  drop(partition: string): void;
  /** Ends the running transaction: keeps its creations and drops, or forgets them. */
  settle(committed: boolean): void;
}

/** Run inside the transaction that opens the storage, after the schema and its migration. */
export function createLogTables(sql: SqlLike): LogTables {
  const found = sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB ?", `${LOG_TABLE_PREFIX}*`).toArray();
  const committed = new Set(found.map((r) => r.name as string));
  /** Created (true) or dropped (false) by the running transaction. */
  const running = new Map<string, boolean>();
  const names = new Map<string, string>();

  function tableOf(partition: string): string {
    let table = names.get(partition);
    if (!table) names.set(partition, (table = logTableName(partition)));
    return table;
  }
  function existing(partition: string): string | undefined {
    const table = tableOf(partition);
    return (running.get(table) ?? committed.has(table)) ? table : undefined;
  }

  return {
    existing,
    ensure(partition) {
      const table = tableOf(partition);
      if (!existing(partition)) {
        sql.exec(logTableDdl(table));
        running.set(table, true);
      }
      return table;
    },
    drop(partition) {
      const table = existing(partition);
      if (!table) return;
      sql.exec(`DROP TABLE ${table}`);
      running.set(table, false);
    },
    settle(ok) {
      if (ok) for (const [table, exists] of running) exists ? committed.add(table) : committed.delete(table);
      running.clear();
    },
  };
}
