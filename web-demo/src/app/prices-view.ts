// The price list, read from the local mirror of the edge's price topic (latest record per item
// wins, as on a compacted topic). Until the first download the stall sells at its default prices.

import type { Client } from "@rill/client";
import { $, h } from "../shared/dom.ts";
import { LOCAL_PRICES } from "./config.ts";
import { followTopic } from "./local-feed.ts";
import { DEFAULT_PRICES, formatCents, type PriceEntry } from "./orders.ts";

function parsePrice(value: unknown): PriceEntry | null {
  if (typeof value !== "object" || value === null) return null;
  const p = value as Partial<PriceEntry>;
  if (typeof p.item !== "string" || typeof p.price !== "number") return null;
  return { item: p.item, price: p.price, unit: typeof p.unit === "string" ? p.unit : "unit" };
}

export function followPrices(client: Client, onChange: (prices: readonly PriceEntry[]) => void): () => void {
  const list = $("#prices");
  const source = $("#prices-source");
  const latest = new Map<string, PriceEntry>();
  let mirroredTo = -1;

  function render(prices: readonly PriceEntry[]) {
    list.replaceChildren(...prices.map((p) => h("li", { "data-item": p.item }, `${p.item}: ${formatCents(p.price)} per ${p.unit}`)));
    onChange(prices);
  }
  source.textContent = "(defaults: nothing downloaded from the edge yet)";
  render(DEFAULT_PRICES);

  return followTopic(client, LOCAL_PRICES, ({ message }) => {
    const key = message.key;
    if (key === null) return;
    if (message.value === null)
      latest.delete(key); // a tombstone: the item is no longer sold
    else {
      const entry = parsePrice(message.value);
      if (entry) latest.set(key, entry);
    }
    mirroredTo = message.offset;
    source.textContent = `(from the edge, mirrored to offset ${mirroredTo})`;
    source.dataset.offset = String(mirroredTo);
    render([...latest.values()].sort((a, b) => a.item.localeCompare(b.item)));
  });
}
