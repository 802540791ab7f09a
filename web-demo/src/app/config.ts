// The demo's names: its local database, the topics it writes and reads, and where the edge is.

/** The IndexedDB database (and worker) of the stall's local log. */
export const DATABASE = "market-stall";

/** Orders are taken into this local topic (the outbox) and uploaded to EDGE_ORDERS. */
export const LOCAL_ORDERS = "orders";
export const EDGE_ORDERS = "market-orders";
export const ORDER_PARTITIONS = 2;

/** The market's price list lives at the edge and is mirrored into the local topic LOCAL_PRICES. */
export const EDGE_PRICES = "market-prices";
export const LOCAL_PRICES = "prices";

/**
 * The edge broker: the origin that served the page (npm start serves both), unless `?edge=<url>`
 * names another one (tests put a proxy they can cut in between).
 */
export function edgeUrl(): string {
  const override = new URLSearchParams(location.search).get("edge");
  return override ? override.replace(/\/+$/, "") : location.origin;
}
