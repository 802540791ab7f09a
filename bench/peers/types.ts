// What the side-by-side benchmark (npm run bench) asks of every system it drives: Rill (edge and
// in-process) and its peers. Each adapter speaks its system's own protocol (keep-alive HTTP, or the
// system's own Node client) and prepares request bodies before the timed loops, so the loops time
// the systems, not the building of requests.

/** One produce workload: records of `valueSize` bytes, `perRequest` of them per request. */
export interface ProduceShape {
  valueSize: number;
  perRequest: number;
}

/** Sends one prepared request carrying `perRequest` records to `partition` of `stream`. */
export type SendRequest = (stream: string, partition: number) => Promise<void>;

/** Delivers records as they arrive: their values (as text) and the time they were seen. */
export type OnRecords = (values: string[], seenAt: number) => void;

export interface Tail {
  stop(): Promise<void>;
}

export interface CatchUpResult {
  records: number;
  bytes: number;
}

export interface BenchTarget {
  /** Row label, e.g. "rill edge (binary)" or "redis (appendfsync always)". */
  name: string;
  /** The system, for grouping and ratios: "rill-edge", "rill-node", "durable-streams", "redis", "nats". */
  system: string;
  /** What an acknowledgement promises here (shown beside the figures). */
  durability: string;
  /** Creates a stream (topic, stream key, subject) of `partitions` partitions. */
  create(stream: string, partitions: number): Promise<void>;
  /** Builds the request of one shape once; the returned function sends it. */
  prepare(shape: ProduceShape): SendRequest;
  /** Produces one record whose value is `text` (latency runs) and resolves once acknowledged. */
  sendText(stream: string, text: string): Promise<void>;
  /** Follows partition 0 of `stream` from its start, calling back as records arrive. */
  tail(stream: string, onRecords: OnRecords): Promise<Tail>;
  /** Reads partition 0 of `stream` from its start until `records` were read. */
  catchUp(stream: string, records: number): Promise<CatchUpResult>;
  /**
   * Systems with consumer groups and no partition assignment (Redis, NATS): a new group's member
   * joins partition 0 of `stream`, which holds records; ms to its first record.
   */
  joinFirstRecord?(stream: string, group: string): Promise<number>;
}

/** A started system: its targets (one per format or durability setting) and how to stop it. */
export interface RunningSystem {
  system: string;
  /** Version and settings, for the report. */
  version: string;
  targets: BenchTarget[];
  stop(): Promise<void>;
}

/** A system that could not start is reported with its reason, not dropped. */
export interface MissingSystem {
  system: string;
  reason: string;
}

/** Text of `size` bytes whose leading characters are `text` (padded with "x"). */
export function padded(text: string, size: number): string {
  return text.length >= size ? text : text + "x".repeat(size - text.length);
}

/** The leading number of a padded value (the latency runs' send time). */
export function leadingNumber(value: string): number {
  return Number.parseFloat(value);
}
