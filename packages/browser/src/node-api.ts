// What a page calls on its worker over comlink: the transport (WireServer) plus joining and leaving.

import type { NodeStatus } from "./host-node.ts";
import type { HostMode } from "./status.ts";
import type { WireServer } from "./wire.ts";

export interface PageHello {
  /** The database the page wants; a worker serves exactly one. */
  name: string;
  pageId: string;
  /** A Web Lock the page holds for its life (null without Web Locks): its release means the page died. */
  tabLock: string | null;
  visible: boolean;
  mode: HostMode;
}

export type HelloAnswer =
  | { ok: true; workerId: string; status: NodeStatus }
  | { ok: false; error: { code: string; message: string; details: Record<string, unknown> } };

export interface NodeApi extends WireServer {
  hello(hello: PageHello, onStatus: (status: NodeStatus) => void): Promise<HelloAnswer>;
  visibility(visible: boolean): void;
  /** The page closes its broker: its requests end and the worker forgets it. */
  goodbye(): void;
}
