// The hosting end of relayed requests: each worker that calls this one over the peer channel gets
// its own comlink exposure of the host's app, served only while this worker still hosts; when the
// caller's worker dies (its node lock is released), its requests are aborted here.

import { expose } from "comlink";
import { errorAnswerOf } from "./answers.ts";
import type { Hosting } from "./hosting.ts";
import type { LockWatches } from "./lock-watch.ts";
import type { PeerChannel } from "./peer-channel.ts";
import type { WireServer } from "./wire.ts";

export function serveCallers(name: string, channel: PeerChannel, hosting: Hosting, watches: LockWatches): void {
  channel.onCaller((caller, endpoint) => {
    const callerApi: WireServer = {
      async fetch(request) {
        const local = await hosting.serve();
        if (!local) return hosting.refusal() ?? errorAnswerOf("NOT_LEADER_OR_FOLLOWER", "this worker no longer hosts the local broker");
        return local.server.fetch(request);
      },
      abort: (requestId) => hosting.local?.server.abort(requestId),
      read: async (requestId) => (hosting.local ? hosting.local.server.read(requestId) : null),
    };
    expose(callerApi, endpoint);
    watches.watch(`rill:${name}:node:${caller}`, () => {
      hosting.local?.server.abortWhere(`${caller}/`);
      channel.forget(caller);
    });
  });
}
