// One Durable Object per topic-partition leader: the core partition log on the object's SQLite.
import { DurableObject } from "cloudflare:workers";
import { createPartitionLog, type PartitionLog } from "@rill/core";
import { createSqliteStorage } from "@rill/storage-sqlite";
import type { Env } from "./env.ts";

export class PartitionObject extends DurableObject<Env> {
  readonly log: PartitionLog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.log = createPartitionLog({ storage: createSqliteStorage(ctx.storage), partition: "log" });
  }
}
