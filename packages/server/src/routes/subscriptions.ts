// Push subscriptions: the broker consumes as a group member and delivers to a Worker or webhook.
//   POST   /v1/subscriptions                        {group, name, topics|pattern, target, batchSize?, ...}
//          -> 201 {subscription, secret}            (the signing secret is answered here and on rotation only)
//   GET    /v1/subscriptions?group=                 -> {subscriptions: [{...settings, status}]}
//   GET    /v1/subscriptions/:group/:subscription   -> {...settings, status: {state, partitions, lag, inFlight, counters, lastError}}
//   PATCH  /v1/subscriptions/:group/:subscription   {target?, batchSize?, paused?, rotateSecret?, ...} -> {subscription, secret?}
//   DELETE /v1/subscriptions/:group/:subscription   -> {deleted}

import { RillError } from "@rill/core";
import { createSubscriptionBody, updateSubscriptionBody } from "@rill/protocol/operations";
import { Hono } from "hono";
import type { Broker } from "../broker.ts";
import { jsonBody } from "../request.ts";
import { newSubscriptionConfig } from "../subscriptions/config.ts";
import type { SubscriptionService } from "../subscriptions/types.ts";
import { validateGroupId } from "./groups.ts";

function serviceOf(broker: Broker): SubscriptionService {
  if (!broker.subscriptions)
    throw new RillError(
      "INVALID_REQUEST",
      "push subscriptions are run by the edge broker (npm start) and by @rill/node, not by this broker",
    );
  return broker.subscriptions;
}

function validateName(name: string): string {
  if (!/^[A-Za-z0-9._:@=+-]{1,255}$/.test(name))
    throw new RillError("INVALID_REQUEST", `invalid subscription name ${JSON.stringify(name)}: use 1 to 255 of A-Z a-z 0-9 . _ : @ = + -`);
  return name;
}

export function subscriptionRoutes(broker: Broker): Hono {
  const app = new Hono();

  app.post("/", async (c) => {
    const service = serviceOf(broker);
    const body = await jsonBody(c, createSubscriptionBody);
    const config = newSubscriptionConfig({ ...body, group: validateGroupId(body.group), name: validateName(body.name) }, Date.now());
    return c.json(await service.create(config), 201);
  });

  app.get("/", async (c) => {
    const group = c.req.query("group");
    return c.json({ subscriptions: await serviceOf(broker).list(group === undefined ? undefined : validateGroupId(group)) });
  });

  app.get("/:group/:subscription", async (c) => {
    const service = serviceOf(broker);
    return c.json(await service.describe(validateGroupId(c.req.param("group")), validateName(c.req.param("subscription"))));
  });

  app.patch("/:group/:subscription", async (c) => {
    const service = serviceOf(broker);
    const group = validateGroupId(c.req.param("group"));
    const name = validateName(c.req.param("subscription"));
    const body = await jsonBody(c, updateSubscriptionBody);
    return c.json(await service.update(group, name, body));
  });

  app.delete("/:group/:subscription", async (c) => {
    const service = serviceOf(broker);
    const group = validateGroupId(c.req.param("group"));
    const name = validateName(c.req.param("subscription"));
    await service.delete(group, name);
    return c.json({ deleted: `${group}/${name}` });
  });

  return app;
}
