// The workers of one database (a tab's dedicated worker, or a SharedWorker from another deploy)
// talk over one BroadcastChannel. Heartbeats go to everyone; comlink calls are addressed: each
// envelope names its sender and receiver and says whether it is a call or an answer, so a worker
// that stopped hosting (or one that calls another while being called by it) never takes a message
// meant for another conversation. Ports cannot travel over a BroadcastChannel, and it cannot
// transfer buffers: on this hop bodies are copied.

import type { Endpoint } from "comlink";

export type Broadcast = { kind: "beat"; from: string; report: unknown } | { kind: "who"; from: string };
type Envelope = { kind: "call" | "answer"; from: string; to: string; data: unknown };
type Listener = (event: { data: unknown; origin: string }) => void;

export interface PeerChannel {
  readonly self: string;
  broadcast(message: Broadcast): void;
  onBroadcast(listener: (message: Broadcast) => void): void;
  /** An endpoint for calling `peer` (wrap it with comlink). */
  calling(peer: string): Endpoint;
  /** Called the first time `peer` calls this worker, with the endpoint to expose an API on. */
  onCaller(handler: (peer: string, endpoint: Endpoint) => void): void;
  /** Drops both conversations with a peer that went away. */
  forget(peer: string): void;
  close(): void;
}

export function createPeerChannel(channelName: string, self: string): PeerChannel {
  const channel = new BroadcastChannel(channelName);
  // listeners per conversation: answers from a peer we call, calls from a peer that calls us
  const answers = new Map<string, Set<Listener>>();
  const calls = new Map<string, Set<Listener>>();
  const broadcastListeners: Array<(message: Broadcast) => void> = [];
  let onCaller: ((peer: string, endpoint: Endpoint) => void) | undefined;

  function endpoint(peer: string, sends: Envelope["kind"], listeners: Map<string, Set<Listener>>): Endpoint {
    return {
      postMessage: (data: unknown) => channel.postMessage({ kind: sends, from: self, to: peer, data } satisfies Envelope),
      addEventListener: (_type: string, listener: EventListenerOrEventListenerObject) => {
        let set = listeners.get(peer);
        if (!set) listeners.set(peer, (set = new Set()));
        set.add(listener as unknown as Listener);
      },
      removeEventListener: (_type: string, listener: EventListenerOrEventListenerObject) => {
        listeners.get(peer)?.delete(listener as unknown as Listener);
      },
    };
  }

  channel.addEventListener("message", (event: MessageEvent<Broadcast | Envelope>) => {
    const message = event.data;
    if (!message || message.from === self) return;
    if (message.kind === "beat" || message.kind === "who") {
      for (const listener of broadcastListeners) listener(message);
      return;
    }
    if (message.to !== self) return;
    const listeners = message.kind === "call" ? calls : answers;
    if (message.kind === "call" && !calls.has(message.from)) onCaller?.(message.from, endpoint(message.from, "answer", calls));
    for (const listener of listeners.get(message.from) ?? []) listener({ data: message.data, origin: "*" });
  });

  return {
    self,
    broadcast: (message) => channel.postMessage(message),
    onBroadcast: (listener) => {
      broadcastListeners.push(listener);
    },
    calling: (peer) => endpoint(peer, "call", answers),
    onCaller: (handler) => {
      onCaller = handler;
    },
    forget(peer) {
      answers.delete(peer);
      calls.delete(peer);
    },
    close: () => channel.close(),
  };
}
