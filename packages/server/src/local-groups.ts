// Group coordinators of the in-process broker: one per group, session timeouts on timers.

import { type Controller, createGroupCoordinator, type GroupCoordinator, type Storage } from "@rill/core";
import type { Broker } from "./broker.ts";

type GroupMethods = Pick<
  Broker,
  "groupHeartbeat" | "commitOffsets" | "fetchOffsets" | "describeGroup" | "listGroups" | "resetGroupOffsets" | "deleteGroup"
>;

export interface LocalGroups extends GroupMethods {
  close(): void;
}

/** Partition counts of the topics a subscription names or matches. */
export async function resolveTopics(controller: Pick<Controller, "listTopics">, topics: string[], patterns: string[]) {
  const matchers = patterns.map((p) => new RegExp(`^(?:${p})$`));
  const counts: Record<string, number> = {};
  for (const t of await controller.listTopics()) {
    if (topics.includes(t.name) || matchers.some((m) => m.test(t.name))) counts[t.name] = t.partitions.length;
  }
  return counts;
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
        resolveTopics: (topics, patterns) => resolveTopics(controller, topics, patterns),
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
    async listGroups() {
      const withState = (await storage.listDocuments("groups")).map((d) => d.id);
      return [...new Set(withState)].sort();
    },
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
