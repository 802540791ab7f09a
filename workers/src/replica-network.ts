// How a replica object reaches its peers and the controller: Durable Object RPC.

import type { ReplicaNetwork } from "@rill/core";
import { replicaStub } from "./assignment.ts";
import type { Env, PartitionAssignment } from "./env.ts";
import { call } from "./rpc.ts";

export function replicaNetwork(env: Env, self: () => PartitionAssignment): ReplicaNetwork {
  const controller = () => env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));
  return {
    replicate(replicaId, request) {
      const me = self();
      // the follower learns its own assignment from the push if the controller's never reached it
      return call(replicaStub(env, me.topicId, me.partition, replicaId).replicate({ ...me, replicaId }, request));
    },
    alterIsr(leaderEpoch, isr) {
      const me = self();
      return call(controller().alterIsr(me.topic, me.partition, leaderEpoch, isr));
    },
  };
}
