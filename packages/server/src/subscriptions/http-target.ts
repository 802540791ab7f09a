// Deliveries over HTTP (a webhook, or a Worker's fetch handler through a service binding): one
// signed POST per delivery; the answer's JSON body is the handler's verdict.
//   POST <url>  rill-signature: t=<ms>,v1=<hmac>  rill-delivery-id  rill-subscription  rill-attempt
//               {version, deliveryId, group, subscription, topic, partition, attempt, highWatermark, records}
//   200 {acked?, retried?, error?} | 2xx with any other body (every record done)

import type { DeliveryOutcome } from "@rill/core";
import { DELIVERY_HEADERS, type RillDelivery, type RillDeliveryResult, signDelivery } from "@rill/worker";

export type FetchLike = (request: Request) => Promise<Response>;

/** Statuses that mean the handler never ran: the target is down, throttling, or refuses us as configured. */
const UNREACHABLE_STATUSES = new Set([401, 403, 404, 405, 408, 421, 429, 502, 503, 504]);

function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Reads a verdict out of a 2xx body; anything that is not one means every record is done. */
export function verdictOf(body: unknown): DeliveryOutcome {
  const result = (body ?? {}) as RillDeliveryResult;
  const acked = Array.isArray(result.acked) ? result.acked.filter((o) => Number.isSafeInteger(o)) : [];
  const retried = Array.isArray(result.retried)
    ? result.retried.filter((r) => r !== null && typeof r === "object" && Number.isSafeInteger(r.offset))
    : [];
  const error = typeof result.error === "string" ? result.error : undefined;
  return error === undefined ? { kind: "handled", acked, retried } : { kind: "handled", acked, retried, error };
}

/** Posts one delivery and classifies the answer. Never throws. */
export async function deliverOverHttp(
  fetchLike: FetchLike,
  url: string,
  delivery: RillDelivery,
  options: { secret: string; timeoutMs: number },
): Promise<DeliveryOutcome> {
  const body = JSON.stringify(delivery);
  const headers = new Headers({
    "content-type": "application/json",
    [DELIVERY_HEADERS.signature]: await signDelivery(options.secret, body, Date.now()),
    [DELIVERY_HEADERS.deliveryId]: delivery.deliveryId,
    [DELIVERY_HEADERS.subscription]: `${delivery.group}/${delivery.subscription}`,
    [DELIVERY_HEADERS.attempt]: String(delivery.attempt),
  });
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, options.timeoutMs);
  try {
    const response = await fetchLike(new Request(url, { method: "POST", headers, body, signal: abort.signal }));
    const text = await response.text();
    if (response.ok) {
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // a 2xx that is not JSON: the target took the delivery as a whole
      }
      return verdictOf(parsed);
    }
    const error = `HTTP ${response.status}${text ? `: ${text.slice(0, 300)}` : ""}`;
    if (UNREACHABLE_STATUSES.has(response.status)) return { kind: "unreachable", error, retryAfterMs: retryAfterMs(response) };
    return { kind: "failed", error };
  } catch (error) {
    if (timedOut) return { kind: "failed", error: `no answer within ${options.timeoutMs} ms` };
    return { kind: "unreachable", error: (error as Error).message || String(error) };
  } finally {
    clearTimeout(timer);
  }
}
