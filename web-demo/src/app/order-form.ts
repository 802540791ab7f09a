// Taking an order: written to the local log (IndexedDB) and acknowledged there, whether or not the
// network is up; the sync moves it to the edge later, and uploaded() tells the page the order's edge
// offset once it is there.

import type { BrowserBroker } from "@rill/browser";
import type { Producer } from "@rill/client";
import { $, field, h } from "../shared/dom.ts";
import { LOCAL_ORDERS } from "./config.ts";
import { formatCents, type Order, type PriceEntry } from "./orders.ts";

export interface OrderFormOptions {
  broker: BrowserBroker;
  producer: Producer<string, unknown>;
  tab: string;
}

export function createOrderForm({ broker, producer, tab }: OrderFormOptions) {
  const form = $<HTMLFormElement>("#order-form");
  const result = $("#order-result");
  const items = $<HTMLSelectElement>("select[name=item]", form);
  let prices = new Map<string, PriceEntry>();
  let taken = 0;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const entry = prices.get(field(data, "item"));
    if (!entry) return;
    const order: Order = {
      id: `${tab}-${++taken}`,
      item: entry.item,
      quantity: Math.max(1, Number(field(data, "quantity")) || 1),
      unitPrice: entry.price,
      customer: field(data, "customer"),
      takenAt: Date.now(),
      tab,
    };
    try {
      const [saved] = await producer.send({ topic: LOCAL_ORDERS, messages: [{ key: order.id, value: order, headers: { tab } }] });
      if (!saved) return;
      result.textContent = `Order ${order.id} saved on this device (partition ${saved.partition}, offset ${saved.offset}).`;
      result.dataset.lastOrder = order.id;
      // resolves once the order is on the edge: possibly much later, after the network returns
      broker
        .uploaded(saved)
        .then(({ edgeOffset }) => {
          if (result.dataset.lastOrder === order.id) result.textContent = `Order ${order.id} is on the edge (offset ${edgeOffset}).`;
        })
        .catch(() => undefined);
    } catch (error) {
      result.textContent = `Order not saved: ${error instanceof Error ? error.message : String(error)}`;
    }
  });

  return {
    /** The price list changed: offer its items, keeping the current choice. */
    setPrices(list: readonly PriceEntry[]) {
      prices = new Map(list.map((p) => [p.item, p]));
      const chosen = items.value;
      items.replaceChildren(...list.map((p) => h("option", { value: p.item }, `${p.item} · ${formatCents(p.price)}/${p.unit}`)));
      if (prices.has(chosen)) items.value = chosen;
      $<HTMLButtonElement>("button[type=submit]", form).disabled = list.length === 0;
    },
  };
}
