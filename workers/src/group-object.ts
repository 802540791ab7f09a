// One Durable Object per consumer group: its coordinator (core state machine) on the object's
// SQLite, with session timeouts enforced by the object's alarm.

import { DurableObject } from "cloudflare:workers";
import {
  type CommittedOffset,
  createGroupCoordinator,
  type GroupCoordinator,
  type GroupState,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type OffsetCommitRequest,
} from "@rill/core";
import { createSqliteStorage } from "@rill/storage-sqlite";
import type { Env } from "./env.ts";
import { call, type RpcResult, serve } from "./rpc.ts";

/** Topic metadata is read from the controller at most this often per group object. */
const TOPICS_TTL_MS = 2_000;

export class GroupObject extends DurableObject<Env> {
  private coordinator: GroupCoordinator | undefined;
  private topics: { at: number; list: Array<{ name: string; partitions: number }> } | undefined;

  private async topicList(): Promise<Array<{ name: string; partitions: number }>> {
    if (this.topics && Date.now() - this.topics.at < TOPICS_TTL_MS) return this.topics.list;
    const controller = this.env.CONTROLLER.get(this.env.CONTROLLER.idFromName("controller"));
    const list = (await call(controller.listTopics())).map((t) => ({ name: t.name, partitions: t.partitions.length }));
    this.topics = { at: Date.now(), list };
    return list;
  }

  /** The group id is the object's name; the Worker passes it because an object cannot read its own name. */
  private for(group: string): GroupCoordinator {
    this.coordinator ??= createGroupCoordinator({
      storage: createSqliteStorage(this.ctx.storage),
      groupId: group,
      resolveTopics: async (topics, patterns) => {
        const matchers = patterns.map((p) => new RegExp(`^(?:${p})$`));
        const counts: Record<string, number> = {};
        for (const t of await this.topicList())
          if (topics.includes(t.name) || matchers.some((m) => m.test(t.name))) counts[t.name] = t.partitions;
        return counts;
      },
    });
    return this.coordinator;
  }

  private async armAlarm(group: string): Promise<void> {
    await this.ctx.storage.put("group", group);
    const next = await this.for(group).expireMembers();
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  heartbeat(group: string, request: HeartbeatRequest & { waitMs?: number }): Promise<RpcResult<HeartbeatResponse>> {
    return serve(async () => {
      const response = await this.for(group).heartbeat(request);
      await this.armAlarm(group);
      return response;
    });
  }

  commitOffsets(group: string, request: OffsetCommitRequest): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.for(group).commitOffsets(request);
      return null;
    });
  }

  fetchOffsets(group: string): Promise<RpcResult<CommittedOffset[]>> {
    return serve(() => this.for(group).fetchOffsets());
  }

  describe(group: string): Promise<RpcResult<(GroupState & { state: string }) | null>> {
    return serve(() => this.for(group).describe());
  }

  resetOffsets(group: string, offsets: CommittedOffset[]): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.for(group).resetOffsets(offsets);
      return null;
    });
  }

  deleteGroup(group: string): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.for(group).deleteGroup();
      await this.ctx.storage.deleteAlarm();
      return null;
    });
  }

  /** Session timeouts: remove silent members, then sleep until the next deadline. */
  override async alarm(): Promise<void> {
    const group = await this.ctx.storage.get<string>("group");
    if (group) await this.armAlarm(group);
  }
}
