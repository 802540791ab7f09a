// The list of push subscriptions, for listing: one object for the deployment. Each subscription's
// own object holds its settings and state; the index only knows which exist. A name is reserved
// here before its object is created, so two concurrent creates of one subscription cannot both win.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "./env.ts";

export interface IndexEntry {
  group: string;
  name: string;
  createdAt: number;
}

const key = (group: string, name: string) => `sub:${group}/${name}`;

export class SubscriptionIndexObject extends DurableObject<Env> {
  /** Reserves a name; false when it is taken. */
  async add(entry: IndexEntry): Promise<boolean> {
    if ((await this.ctx.storage.get(key(entry.group, entry.name))) !== undefined) return false;
    await this.ctx.storage.put(key(entry.group, entry.name), entry);
    return true;
  }

  async remove(group: string, name: string): Promise<void> {
    await this.ctx.storage.delete(key(group, name));
  }

  async list(group?: string): Promise<IndexEntry[]> {
    const prefix = group === undefined ? "sub:" : key(group, "");
    return [...(await this.ctx.storage.list<IndexEntry>({ prefix })).values()];
  }
}
