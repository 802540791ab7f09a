// An auxiliary Worker for push-subscription tests in workerd: the test consumer
// (test/harness/push-consumer.ts) as a subscription target three ways — the object form's `rill`
// RPC method (withRill), the same Worker's fetch handler (deliveries POSTed through the binding),
// and a WorkerEntrypoint class calling `consume`. Other requests steer and read the consumer:
// GET /state, POST /configure. Bundled by esbuild in project.ts; bound to the broker as PUSH_TARGET
// and PUSH_ENTRY.
import { WorkerEntrypoint } from "cloudflare:workers";
import { consume, type RillDelivery, withRill } from "@rill/worker";
import { type ConsumerBehaviour, createPushConsumer } from "../harness/push-consumer.ts";

const consumer = createPushConsumer();

export class PushEntry extends WorkerEntrypoint {
  rill(delivery: RillDelivery) {
    return consume(delivery, consumer.handler, this.env, this.ctx);
  }
}

export default withRill({
  rill: consumer.handler,
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method === "GET" && path === "/state") return Response.json(consumer.snapshot());
    if (request.method === "POST" && path === "/configure") {
      consumer.configure((await request.json()) as Partial<ConsumerBehaviour>);
      return Response.json({ ok: true });
    }
    return new Response("not found", { status: 404 });
  },
});
