// Tables of the SQLite backend. One row per record batch: Durable Object rows hold at most 2 MB,
// so the core caps a batch below that (MAX_BATCH_BYTES) and the backend refuses anything larger.

export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS rill_partitions (
    name TEXT PRIMARY KEY,
    log_start INTEGER NOT NULL,
    log_end INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    time_index INTEGER NOT NULL,
    epochs TEXT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS rill_batches (
    partition TEXT NOT NULL,
    last_offset INTEGER NOT NULL,
    base_offset INTEGER NOT NULL,
    time_index INTEGER NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (partition, last_offset)
  )`,
  // time_index only grows along offsets, so findByTime binary-searches the primary key instead
  "DROP INDEX IF EXISTS rill_batches_time",
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
