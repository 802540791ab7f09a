// A webhook target on 127.0.0.1 for push-subscription tests and benchmarks: the test consumer
// (push-consumer.ts) behind a signed-delivery endpoint, plus a control port so a test running
// elsewhere (inside workerd) can read what arrived, change the consumer's behaviour, and take the
// delivery port down and up again (a real outage: connections are refused while it is down).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleRillRequest } from "@rill/worker";
import { type ConsumerBehaviour, createPushConsumer } from "./push-consumer.ts";

export interface WebhookReceiver {
  /** Where deliveries go: http://127.0.0.1:<port>/hook */
  url: string;
  /** Where tests steer it: GET /state, POST /configure, /secret, /down, /up, /reset */
  controlUrl: string;
  consumer: ReturnType<typeof createPushConsumer>;
  /** Signatures are checked against these secrets (by "<group>/<name>"); unsigned deliveries are refused once one is set. */
  secrets: Map<string, string>;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function toRequest(req: IncomingMessage, port: number): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
  return new Request(`http://127.0.0.1:${port}${req.url ?? "/"}`, { method: req.method, headers, body });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const consumer = createPushConsumer();
  const secrets = new Map<string, string>();
  let port = 0;
  const hook = createServer((req, res) => {
    void (async () => {
      const request = await toRequest(req, port);
      const subscription = request.headers.get("rill-subscription") ?? "";
      const secret = secrets.get(subscription);
      if (secrets.size > 0 && secret === undefined) return send(res, Response.json({ error: "unknown subscription" }, { status: 401 }));
      await send(res, await handleRillRequest(request, consumer.handler, { secret }));
    })().catch((error) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  hook.keepAliveTimeout = 1000;
  port = await listen(hook);
  let isDown = false;

  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/hook`,
    controlUrl: "",
    consumer,
    secrets,
    async down() {
      if (isDown) return;
      isDown = true;
      hook.closeAllConnections();
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    },
    async up() {
      if (!isDown) return;
      await listen(hook, port);
      isDown = false;
    },
    async close() {
      await receiver.down();
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };

  const control = createServer((req, res) => {
    void (async () => {
      const request = await toRequest(req, 0);
      const path = new URL(request.url).pathname;
      if (request.method === "GET" && path === "/state") return send(res, Response.json({ ...consumer.snapshot(), down: isDown }));
      if (request.method !== "POST") return send(res, new Response("not found", { status: 404 }));
      if (path === "/configure") consumer.configure((await request.json()) as Partial<ConsumerBehaviour>);
      else if (path === "/secret") {
        const { subscription, secret } = (await request.json()) as { subscription: string; secret: string };
        secrets.set(subscription, secret);
      } else if (path === "/down") await receiver.down();
      else if (path === "/up") await receiver.up();
      else if (path === "/reset") {
        consumer.reset();
        secrets.clear();
      } else return send(res, new Response("not found", { status: 404 }));
      return send(res, Response.json({ ok: true }));
    })().catch((error) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  receiver.controlUrl = `http://127.0.0.1:${await listen(control)}`;
  return receiver;
}
