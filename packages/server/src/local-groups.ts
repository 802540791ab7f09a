// Group coordinators of the in-process broker: one per group, session timeouts on timers.

import { type Controller, createGroupCoordinator, type GroupCoordinator, type Storage, storedGroupIds } from "@rill/core";
import type { Broker } from "./broker.ts";

type GroupMethods = Pick<
  Broker,
  "groupHeartbeat" | "commitOffsets" | "fetchOffsets" | "describeGroup" | "listGroups" | "resetGroupOffsets" | "deleteGroup"
>;

export interface LocalGroups extends GroupMethods {
  close(): void;
}

export function createLocalGroups(storage: Storage, controller: Controller, now: () => number): LocalGroups {
  const coordinators = new Map<string, GroupCoordinator>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  function coordinator(group: string): GroupCoordinator {
    let c = coordinators.get(group);
    if (!c) {
      c = createGroupCoordinator({
        storage,
        groupId: group,
        now,
        listTopics: async () => (await controller.listTopics()).map((t) => ({ name: t.name, partitions: t.partitions.length })),
      });
      coordinators.set(group, c);
    }
    return c;
  }

  function stopTimer(group: string): void {
    const timer = timers.get(group);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(group);
  }

  /** Re-arms the group's expiry timer at its next session or rebalance deadline. */
  async function scheduleExpiry(group: string): Promise<void> {
    const next = await coordinator(group).expireMembers();
    stopTimer(group);
    if (next === null) return;
    const timer = setTimeout(() => scheduleExpiry(group).catch(() => undefined), Math.max(10, next - now()));
    (timer as { unref?: () => void }).unref?.();
    timers.set(group, timer);
  }

  return {
    async groupHeartbeat(group, request) {
      const response = await coordinator(group).heartbeat(request);
      await scheduleExpiry(group);
      return response;
    },
    commitOffsets: (group, request) => coordinator(group).commitOffsets(request),
    fetchOffsets: (group) => coordinator(group).fetchOffsets(),
    describeGroup: (group) => coordinator(group).describe(),
    listGroups: () => storedGroupIds(storage),
    resetGroupOffsets: (group, offsets) => coordinator(group).resetOffsets(offsets),
    async deleteGroup(group) {
      await coordinator(group).deleteGroup();
      coordinators.delete(group);
      stopTimer(group);
    },
    close() {
      for (const t of timers.values()) clearTimeout(t);
    },
  };
}
