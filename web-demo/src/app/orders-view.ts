// The orders in the local log, from every tab, newest first: each marked "on the edge" once the
// upload has passed its offset, "in outbox" until then.

import { $, h, row } from "../shared/dom.ts";
import { formatTimestamp } from "../shared/format.ts";
import { LOCAL_ORDERS } from "./config.ts";
import { formatCents, type LoggedOrder } from "./orders.ts";
import { type AppStatus, syncOf, uploadedBelow } from "./sync-status.ts";

const SHOWN = 100;

export function createOrdersView() {
  const tbody = $("#orders-table tbody");
  const summary = $("#orders-summary");
  const orders: LoggedOrder[] = [];
  let status: AppStatus | null = null;
  let scheduled = false;

  function render() {
    scheduled = false;
    const uploaded = (o: LoggedOrder) => status !== null && o.offset < uploadedBelow(status, LOCAL_ORDERS, o.partition);
    const newest = [...orders].sort((a, b) => b.order.takenAt - a.order.takenAt || b.offset - a.offset).slice(0, SHOWN);
    tbody.replaceChildren(
      ...newest.map((o) => {
        const onEdge = uploaded(o);
        const state = h("span", { class: `state ${onEdge ? "synced" : "pending"}` }, onEdge ? "on the edge" : "in outbox");
        return row(
          [
            formatTimestamp(o.order.takenAt).slice(11, 19),
            o.order.id,
            o.order.customer || "–",
            `${o.order.quantity} × ${o.order.item}`,
            formatCents(o.order.quantity * o.order.unitPrice),
            `${o.partition}:${o.offset}`,
            state,
          ],
          { "data-id": o.order.id, "data-partition": o.partition, "data-offset": o.offset, "data-state": onEdge ? "synced" : "pending" },
        );
      }),
    );
    const takings = orders.reduce((sum, o) => sum + o.order.quantity * o.order.unitPrice, 0);
    const waiting = orders.filter((o) => !uploaded(o)).length;
    const syncing = status !== null && syncOf(status) !== null;
    summary.textContent = `${orders.length} orders, ${formatCents(takings)} taken${syncing ? `, ${waiting} not yet on the edge` : ""}`;
    summary.dataset.count = String(orders.length);
  }
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(render, 50); // not requestAnimationFrame: background tabs get none, and they show the shared log too
  };

  return {
    add(order: LoggedOrder) {
      orders.push(order);
      schedule();
    },
    setStatus(next: AppStatus) {
      status = next;
      schedule();
    },
  };
}
