// What the engine hands every partition loop (uploaders, downloaders and the upload identity): the
// local broker and the edge, the status, and how to wait.

import type { LocalBroker } from "@rill/server";
import type { Edge } from "./edge.ts";
import type { Nudge } from "./sleep.ts";
import type { StatusHub } from "./status-hub.ts";

export interface LoopContext {
  broker: LocalBroker;
  edge: Edge;
  hub: StatusHub;
  /** This loop's own signal, aborted when the engine stops. */
  signal: AbortSignal;
  nudge: Nudge;
  now: () => number;
  pollWaitMs: number;
  maxBackoffMs: number;
  warn: (message: string) => void;
}
