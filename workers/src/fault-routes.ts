// POST /v1/_faults {topic, partition, replica: number | "leader", fault} — crash, cut off or slow a
// replica. Mounted only when RILL_FAULTS=enabled; otherwise the path does not exist.

import { isRillError, RillError } from "@rill/core";
import { errorResponse } from "@rill/server";
import { Hono } from "hono";
import { replicaStub } from "./assignment.ts";
import type { Env } from "./env.ts";
import { validateFault } from "./faults.ts";
import { call } from "./rpc.ts";

export function faultRoutes(env: Env): Hono {
  const app = new Hono();
  app.onError((error, c) => errorResponse(c, error));
  app.post("/", async (c) => {
    const body = (await c.req.json().catch(() => null)) as {
      topic?: string;
      partition?: number;
      replica?: number | "leader";
      fault?: unknown;
    } | null;
    if (!body || typeof body.topic !== "string" || !Number.isInteger(body.partition)) {
      throw new RillError("INVALID_REQUEST", 'expected {topic, partition, replica: number | "leader", fault}');
    }
    const fault = validateFault(body.fault);
    const controller = env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));
    const topic = await call(controller.getTopic(body.topic));
    const p = topic.partitions[body.partition as number];
    if (!p) throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `no partition ${body.partition}`);
    const replica = body.replica === "leader" || body.replica === undefined ? p.leader : body.replica;
    if (!p.replicas.includes(replica)) throw new RillError("INVALID_REQUEST", `partition has no replica ${replica}`);
    const stub = replicaStub(env, topic.topicId, p.partition, replica);
    // a crash aborts the object mid-call: its RPC failing is the expected answer
    const state = await call(stub.injectFault(fault)).catch((error) =>
      fault.kind === "crash" && isRillError(error, "NETWORK_EXCEPTION") ? null : Promise.reject(error),
    );
    return c.json({ topic: topic.name, partition: p.partition, replica, leaderEpoch: p.leaderEpoch, fault, state });
  });
  return app;
}
