// A worker that does not host forwards its pages' requests to the worker that does, over the peer
// channel. comlink's calls never fail when the other side dies, so each relayed request also waits
// on "the host changed": then it is answered with a retriable error (the client retries, and an
// idempotent producer's retry is answered with its original offsets if the first try landed).

import { type Remote, wrap } from "comlink";
import { errorAnswerOf } from "./answers.ts";
import type { PeerChannel } from "./peer-channel.ts";
import type { WireRequest, WireResponse, WireServer } from "./wire.ts";

export interface Relay {
  fetch(request: WireRequest, hostId: string): Promise<WireResponse>;
  /** Whether `id` is a request relayed by this worker (still running or streaming). */
  has(id: string): boolean;
  read(id: string): Promise<ArrayBuffer | null>;
  abort(id: string): void;
  abortWhere(prefix: string): void;
  /** Fails every request relayed to a host other than `hostId` (null: to any host). */
  hostChanged(hostId: string | null): void;
  readonly inFlight: number;
}

interface Relayed {
  hostId: string;
  fail(answer: WireResponse): void;
  streaming: boolean;
}

export function createRelay(channel: PeerChannel): Relay {
  const remotes = new Map<string, Remote<WireServer>>();
  const relayed = new Map<string, Relayed>();
  const remoteFor = (hostId: string) => {
    let remote = remotes.get(hostId);
    if (!remote) {
      remote = wrap<WireServer>(channel.calling(hostId));
      remotes.set(hostId, remote);
    }
    return remote;
  };
  // ids are made unique per relaying worker: the host aborts a dead worker's requests by prefix
  const remoteId = (id: string) => `${channel.self}/${id}`;

  function abort(id: string): void {
    const entry = relayed.get(id);
    if (!entry) return;
    relayed.delete(id);
    Promise.resolve(remoteFor(entry.hostId).abort(remoteId(id))).catch(() => undefined);
    entry.fail(errorAnswerOf("REQUEST_TIMED_OUT", "the request was aborted"));
  }

  return {
    async fetch(request, hostId) {
      let fail: (answer: WireResponse) => void = () => undefined;
      const lost = new Promise<WireResponse>((resolve) => {
        fail = resolve;
      });
      const entry: Relayed = { hostId, fail, streaming: false };
      relayed.set(request.id, entry);
      const answer = await Promise.race([remoteFor(hostId).fetch({ ...request, id: remoteId(request.id) }), lost]);
      if (answer.stream && relayed.get(request.id) === entry) entry.streaming = true;
      else relayed.delete(request.id);
      return answer;
    },
    has: (id) => relayed.has(id),
    async read(id) {
      const entry = relayed.get(id);
      if (!entry) return null;
      let ended: (value: null) => void = () => undefined;
      const lost = new Promise<null>((resolve) => {
        ended = resolve;
      });
      entry.fail = () => ended(null);
      const chunk = await Promise.race([remoteFor(entry.hostId).read(remoteId(id)), lost]);
      if (chunk === null) relayed.delete(id);
      return chunk;
    },
    abort,
    abortWhere(prefix) {
      for (const id of [...relayed.keys()]) if (id.startsWith(prefix)) abort(id);
    },
    hostChanged(hostId) {
      for (const [id, entry] of [...relayed]) {
        if (entry.hostId === hostId) continue;
        relayed.delete(id);
        Promise.resolve(remoteFor(entry.hostId).abort(remoteId(id))).catch(() => undefined);
        entry.fail(errorAnswerOf("NOT_LEADER_OR_FOLLOWER", "the tab hosting the local broker changed during the request; retry"));
      }
      for (const id of [...remotes.keys()]) {
        if (id === hostId) continue;
        remotes.delete(id);
        channel.forget(id);
      }
    },
    get inFlight() {
      return relayed.size;
    },
  };
}
