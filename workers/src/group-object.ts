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
  /** The alarm as last set by this instance (null: none); undefined until read from storage. */
  private alarmAt: number | null | undefined;
  private groupNameStored = false;
  /** Whether the controller's group registry lists this group; undefined until read from storage. */
  private registered: boolean | undefined;
  private topics: { at: number; list: Array<{ name: string; partitions: number }> } | undefined;

  private async topicList(): Promise<Array<{ name: string; partitions: number }>> {
    if (this.topics && Date.now() - this.topics.at < TOPICS_TTL_MS) return this.topics.list;
    const list = (await call(this.controller().listTopics())).map((t) => ({ name: t.name, partitions: t.partitions.length }));
    this.topics = { at: Date.now(), list };
    return list;
  }

  private controller() {
    return this.env.CONTROLLER.get(this.env.CONTROLLER.idFromName("controller"));
  }

  /**
   * Puts the group in the controller's registry (for listing) before its first write. The group's own
   * object remembers that it did, so every Worker isolate agrees, including after a delete elsewhere.
   */
  private async register(group: string): Promise<void> {
    this.registered ??= (await this.ctx.storage.get<boolean>("registered")) ?? false;
    if (this.registered) return;
    await call(this.controller().registerGroup(group));
    await this.ctx.storage.put("registered", true);
    this.registered = true;
  }

  /** The group id is the object's name; the Worker passes it because an object cannot read its own name. */
  private for(group: string): GroupCoordinator {
    this.coordinator ??= createGroupCoordinator({
      storage: createSqliteStorage(this.ctx.storage),
      groupId: group,
      listTopics: () => this.topicList(),
    });
    return this.coordinator;
  }

  /**
   * Expires silent members and keeps the alarm at or before the next deadline. Every heartbeat
   * pushes its member's deadline later, so an alarm already set earlier needs no write: when it
   * fires too early, alarm() finds nobody to expire and sets it again.
   */
  private async armAlarm(group: string): Promise<void> {
    if (!this.groupNameStored) {
      await this.ctx.storage.put("group", group);
      this.groupNameStored = true;
    }
    const next = await this.for(group).expireMembers();
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (next === null) {
      if (this.alarmAt !== null) await this.ctx.storage.deleteAlarm();
      this.alarmAt = null;
    } else if (this.alarmAt === null || next < this.alarmAt) {
      await this.ctx.storage.setAlarm(next);
      this.alarmAt = next;
    }
  }

  heartbeat(group: string, request: HeartbeatRequest & { waitMs?: number }): Promise<RpcResult<HeartbeatResponse>> {
    return serve(async () => {
      if (request.memberEpoch === 0) await this.register(group);
      const response = await this.for(group).heartbeat(request);
      await this.armAlarm(group);
      return response;
    });
  }

  commitOffsets(group: string, request: OffsetCommitRequest): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.register(group);
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
      await this.register(group);
      await this.for(group).resetOffsets(offsets);
      return null;
    });
  }

  deleteGroup(group: string): Promise<RpcResult<null>> {
    return serve(async () => {
      await this.for(group).deleteGroup();
      await call(this.controller().unregisterGroup(group));
      await this.ctx.storage.delete("registered");
      this.registered = false;
      await this.ctx.storage.deleteAlarm();
      this.alarmAt = null;
      return null;
    });
  }

  /** Session timeouts: remove silent members, then sleep until the next deadline. */
  override async alarm(): Promise<void> {
    this.alarmAt = null; // a fired alarm is gone
    const group = await this.ctx.storage.get<string>("group");
    if (group) await this.armAlarm(group);
  }
}
