// Who may commit a group's offsets (KIP-848's fencing): a member, with its current epoch (or the
// one just before, for commits that were in flight when the epoch moved), for partitions it owns or
// is giving up; nobody (memberId null) only while the group has no members.

import { RillError } from "./errors.ts";
import type { GroupState, OffsetCommitRequest } from "./group-types.ts";

/** Throws UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, STALE_MEMBER_EPOCH or INVALID_REQUEST; returns when the commit may go in. */
export function checkCommit(s: GroupState | undefined, groupId: string, request: OffsetCommitRequest): void {
  const members = s ? Object.values(s.members) : [];
  if (request.memberId === null) {
    if (members.length > 0) throw new RillError("UNKNOWN_MEMBER_ID", `group ${groupId} has members: commit with a member id and epoch`);
  } else {
    const m = s?.members[request.memberId];
    if (!m) throw new RillError("UNKNOWN_MEMBER_ID", `member ${request.memberId} is not in group ${groupId}`);
    if (request.memberEpoch > m.memberEpoch)
      throw new RillError("FENCED_MEMBER_EPOCH", `epoch ${request.memberEpoch} is newer than the member's ${m.memberEpoch}`);
    // a commit sent just before an epoch bump (async commits in flight) is still the owner's
    const previousOk = request.memberEpoch > 0 && request.memberEpoch === m.previousMemberEpoch;
    if (request.memberEpoch < m.memberEpoch && !previousOk) {
      throw new RillError(
        "STALE_MEMBER_EPOCH",
        `member ${m.memberId} committed with epoch ${request.memberEpoch}, current is ${m.memberEpoch}`,
      );
    }
    for (const o of request.offsets) {
      const owns = m.assigned[o.topic]?.includes(o.partition) || m.revoking[o.topic]?.includes(o.partition);
      if (!owns) throw new RillError("FENCED_MEMBER_EPOCH", `member ${m.memberId} does not own ${o.topic}/${o.partition}`);
    }
  }
  for (const o of request.offsets) {
    if (!Number.isSafeInteger(o.offset) || o.offset < 0)
      throw new RillError("INVALID_REQUEST", `offset for ${o.topic}/${o.partition} must be a non-negative integer`);
  }
}
