// Where a consumer's partitions come from. The fetch loop only knows "these partitions are mine
// now" and "these are not any more"; a source decides which. Manual assignment (`assign()`) is one
// source; group membership (`subscribe()`, group-membership.ts) is another: it heartbeats from
// start(), calls assigned()/revoked() as the coordinator's assignment changes, gives committed
// offsets through startingOffset(), and commits what processed() reports.

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** The consumer's side of an assignment source. */
export interface AssignmentListener {
  /** These partitions are now the consumer's: fetch them. */
  assigned(partitions: readonly TopicPartition[]): void;
  /** These are not any more: resolves once no handler is working on them (commit after this). */
  revoked(partitions: readonly TopicPartition[]): Promise<void>;
  /** The source cannot go on (e.g. the group refused to take this member): the run ends with the error. */
  failed?(error: unknown): void;
}

export interface AssignmentSource {
  /** Starts delivering the assignment to the listener (a group would join here). */
  start(listener: AssignmentListener): Promise<void>;
  /** Stops delivering (a group would leave here). */
  stop(): Promise<void>;
  /** Where a new partition starts when nothing seeks it (a group's committed offset); undefined: autoOffsetReset. */
  startingOffset?(tp: TopicPartition, signal?: AbortSignal): Promise<number | undefined>;
  /** The application has handled everything before nextOffset (a group would commit it). */
  processed?(tp: TopicPartition, nextOffset: number): void;
}

/** Manual assignment: the partitions given to assign(), nothing else. */
export interface ManualAssignment extends AssignmentSource {
  /** Replaces the assignment; the listener hears what was added and what was removed. */
  set(partitions: readonly TopicPartition[]): Promise<void>;
  current(): TopicPartition[];
}

export const tpKey = (tp: TopicPartition) => `${tp.partition}\u0000${tp.topic}`;

/**
 * Manual assignment; `offsets` gives it a group's committed offsets to start from and somewhere to
 * report progress (a standalone consumer with a groupId).
 */
export function createManualAssignment(offsets?: Pick<AssignmentSource, "startingOffset" | "processed">): ManualAssignment {
  let current = new Map<string, TopicPartition>();
  let listener: AssignmentListener | undefined;

  return {
    startingOffset: offsets?.startingOffset,
    processed: offsets?.processed,
    async start(l) {
      listener = l;
      l.assigned([...current.values()]);
    },
    async stop() {
      listener = undefined;
    },
    async set(partitions) {
      const next = new Map(partitions.map((tp) => [tpKey(tp), { topic: tp.topic, partition: tp.partition }]));
      const removed = [...current].filter(([k]) => !next.has(k)).map(([, tp]) => tp);
      const added = [...next].filter(([k]) => !current.has(k)).map(([, tp]) => tp);
      current = next;
      if (!listener) return;
      // not awaited: nothing is committed on revocation here, and a handler that reassigns its own
      // partition would otherwise wait for itself
      if (removed.length > 0) void listener.revoked(removed).catch(() => undefined);
      if (added.length > 0) listener.assigned(added);
    },
    current: () => [...current.values()],
  };
}
