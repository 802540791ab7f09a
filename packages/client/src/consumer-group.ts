// The group side of a consumer: with a groupId, subscribe() makes it a member whose partitions
// the coordinator assigns, and assign() makes it a standalone consumer that starts at the group's
// committed offsets and commits as nobody (allowed while the group has no members). Either way
// this is where commits, committed offsets and group metadata come from.

import { RillError } from "@rill/core";
import { type AssignmentSource, createManualAssignment, type ManualAssignment, type TopicPartition } from "./assignment.ts";
import type { GroupMetadata, GroupOptions, Subscription } from "./group-api.ts";
import type { TopicPartitionOffset } from "./group-commits.ts";
import { createGroupMembership, type GroupMembership } from "./group-membership.ts";
import { type CommittedOffset, createGroupOffsets, type GroupOffsets } from "./group-offsets.ts";
import type { ResolvedRetry } from "./retry.ts";
import type { Transport } from "./transport.ts";

export interface ConsumerGroupDeps {
  transport: Transport;
  retry: ResolvedRetry;
  clientId?: string;
  warn(message: string): void;
}

export interface ConsumerGroup {
  /** Where partitions come from now. */
  source(): AssignmentSource;
  /** The manual assignment, unless the consumer subscribed or brought its own source. */
  manual(): ManualAssignment | undefined;
  subscribe(subscription: Subscription): void;
  /** run() started. */
  runStarted(): void;
  /** run() ended: a member commits and leaves (true: connect again next time), a standalone consumer commits. */
  runEnded(): Promise<boolean>;
  commit(offsets: readonly TopicPartitionOffset[] | undefined): Promise<void>;
  committed(partitions?: readonly TopicPartition[]): Promise<CommittedOffset[]>;
  metadata(): GroupMetadata | undefined;
}

export function createConsumerGroup(
  deps: ConsumerGroupDeps,
  options: GroupOptions & { assignment?: AssignmentSource; autoCommit?: boolean },
): ConsumerGroup {
  const { groupId } = options;
  if (groupId !== undefined && !/^[A-Za-z0-9._:@=+-]{1,255}$/.test(groupId))
    throw new RillError("INVALID_REQUEST", `invalid groupId ${JSON.stringify(groupId)}: use 1 to 255 of A-Z a-z 0-9 . _ : @ = + -`);
  const standalone: GroupOffsets | undefined =
    groupId !== undefined && !options.assignment
      ? createGroupOffsets({
          transport: deps.transport,
          groupId,
          retry: deps.retry,
          identity: () => ({ memberId: null, memberEpoch: -1, incarnation: 0 }),
          accepts: () => true,
          autoCommit: options.autoCommit ?? true,
          autoCommitIntervalMs: options.autoCommitIntervalMs ?? 5_000,
          warn: deps.warn,
        })
      : undefined;
  let manual: ManualAssignment | undefined = options.assignment ? undefined : createManualAssignment(standalone);
  let membership: GroupMembership | undefined;
  let source: AssignmentSource = options.assignment ?? (manual as ManualAssignment);

  function group(what: string): string {
    if (groupId === undefined) throw new RillError("INVALID_REQUEST", `${what} needs a consumer created with a groupId`);
    return groupId;
  }

  const active = (): GroupOffsets => {
    group("committing");
    return membership?.offsets ?? (standalone as GroupOffsets);
  };

  return {
    source: () => source,
    manual: () => manual,
    subscribe(subscription) {
      const id = group("subscribe()");
      if (!membership) {
        if (options.assignment)
          throw new RillError("INVALID_REQUEST", "this consumer's partitions come from its assignment source; subscribe() is not for it");
        if ((manual?.current().length ?? 0) > 0)
          throw new RillError("INVALID_REQUEST", "this consumer has partitions from assign(); subscribe() and assign() do not mix");
        membership = createGroupMembership({
          ...options,
          groupId: id,
          transport: deps.transport,
          retry: deps.retry,
          clientId: deps.clientId,
          warn: deps.warn,
        });
        source = membership;
        manual = undefined;
      }
      membership.subscribe(subscription);
    },
    runStarted: () => standalone?.startAutoCommit(),
    async runEnded() {
      if (membership) {
        await membership.stop();
        return true;
      }
      if (!standalone) return false;
      standalone.stopAutoCommit();
      if (options.autoCommit ?? true)
        await standalone
          .commitProcessed()
          .catch((error: unknown) => deps.warn(`committing to group ${groupId} failed: ${(error as Error)?.message}`));
      await standalone.flush();
      return false;
    },
    commit: (offsets) => (offsets ? active().commit(offsets) : active().commitProcessed()),
    committed: (partitions) => active().committed(partitions),
    metadata: () =>
      membership?.metadata() ?? (groupId !== undefined ? { groupId, memberId: null, memberEpoch: -1, groupInstanceId: null } : undefined),
  };
}
