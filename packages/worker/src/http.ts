// Deliveries over HTTP: a fetch handler (a Worker reached through a service binding, a webhook
// server in Node or anywhere with Request/Response) answers a signed POST with the result as JSON.

import { consume, type RillHandler } from "./batch.ts";
import { DELIVERY_HEADERS, type RillDelivery } from "./delivery.ts";
import { type VerifyOptions, verifySignature } from "./signature.ts";

export interface RillRequestOptions extends VerifyOptions {
  /** The subscription's secret; when set, unsigned or wrongly signed requests are refused with 401. */
  secret?: string;
}

/** Whether a request is a subscription's delivery (a POST carrying a delivery id). */
export function isRillDelivery(request: Request): boolean {
  return request.method === "POST" && request.headers.has(DELIVERY_HEADERS.deliveryId);
}

/**
 * Answers one delivery request: checks the signature (when a secret is given), runs the handler
 * and answers the result as JSON with 200, also when the handler failed (the result says so).
 */
export async function handleRillRequest<Env = undefined, Ctx = undefined>(
  request: Request,
  handler: RillHandler<Env, Ctx>,
  options: RillRequestOptions = {},
  env?: Env,
  ctx?: Ctx,
): Promise<Response> {
  if (request.method !== "POST") return Response.json({ error: "deliveries are POSTed" }, { status: 405 });
  const body = await request.text();
  if (options.secret !== undefined) {
    const verdict = await verifySignature(options.secret, body, request.headers.get(DELIVERY_HEADERS.signature), options);
    if (!verdict.ok) return Response.json({ error: verdict.reason }, { status: 401 });
  }
  let delivery: RillDelivery;
  try {
    delivery = JSON.parse(body) as RillDelivery;
  } catch {
    return Response.json({ error: "the body is not JSON" }, { status: 400 });
  }
  if (!Array.isArray(delivery?.records)) return Response.json({ error: "the body is not a delivery" }, { status: 400 });
  return Response.json(await consume(delivery, handler, env as Env, ctx as Ctx));
}
