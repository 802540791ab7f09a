// Tables of the SQLite backend. Cloudflare bills a Durable Object's SQLite by rows written, and an
// index entry is a written row: so each partition's batches live in a table of their own, keyed by
// last_offset as an INTEGER PRIMARY KEY (the rowid itself), where one batch is one written row and
// the key's B-tree holds the bytes (no second B-tree to update). A WITHOUT ROWID table would also
// cost one row, but keeps whole rows in its interior pages: with batches of tens of KB its seeks
// measured ~6x slower here. Durable Object rows hold at most 2 MB, so the core caps a batch below
// that (MAX_BATCH_BYTES) and the backend refuses anything larger.

import { encodeUtf8 } from "@rill/core";

export const SCHEMA = [
  // producers_through: producer changes carried on batches at or after this offset are not yet
  // folded into rill_producers (see producer-deltas.ts)
  `CREATE TABLE IF NOT EXISTS rill_partitions (
    name TEXT PRIMARY KEY,
    log_start INTEGER NOT NULL,
    log_end INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    time_index INTEGER NOT NULL,
    epochs TEXT NOT NULL,
    producers_through INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE IF NOT EXISTS rill_producers (
    partition TEXT NOT NULL,
    producer_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (partition, producer_id)
  )`,
  `CREATE TABLE IF NOT EXISTS rill_offsets (
    group_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    metadata TEXT,
    leader_epoch INTEGER NOT NULL,
    commit_timestamp INTEGER NOT NULL,
    PRIMARY KEY (group_id, topic, partition)
  )`,
  `CREATE TABLE IF NOT EXISTS rill_documents (
    namespace TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (namespace, id)
  )`,
];

/** The prefix of every partition's batch table (a GLOB pattern finds them all). */
export const LOG_TABLE_PREFIX = "rill_log_";

/**
 * The batch table of a partition: its name in hex, since SQLite identifiers ignore ASCII case
 * ("Orders/0" and "orders/0" are two partitions) and may not hold every character unquoted.
 */
export function logTableName(partition: string): string {
  let hex = "";
  for (const byte of encodeUtf8(partition)) hex += byte.toString(16).padStart(2, "0");
  return LOG_TABLE_PREFIX + hex;
}

/**
 * One partition's batches. `producers` (the idempotent producer entries an append changed, on its
 * last batch) comes before `bytes`, so reading it never walks a large batch's overflow pages.
 */
export function logTableDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
    last_offset INTEGER PRIMARY KEY,
    base_offset INTEGER NOT NULL,
    time_index INTEGER NOT NULL,
    size INTEGER NOT NULL,
    producers TEXT,
    bytes BLOB NOT NULL
  )`;
}
