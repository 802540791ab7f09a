// The push subscriptions table: per subscription its state and target, lag (a bar scaled to the
// largest), deliveries in flight, delivered / retried / dead-lettered counts and the last error,
// with a pause or resume button. Brokers that run no subscriptions get a one-line note instead.

import type { SubscriptionDescription } from "@rill/client";
import { h, row } from "../shared/dom.ts";

const targetText = (d: SubscriptionDescription) =>
  d.target.type === "webhook" ? d.target.url : `service ${d.target.binding}${d.target.protocol === "fetch" ? " (fetch)" : ""}`;

export function renderSubscriptions(
  tbody: HTMLElement,
  subscriptions: readonly SubscriptionDescription[] | string,
  onToggle: (subscription: SubscriptionDescription) => void,
) {
  if (typeof subscriptions === "string") {
    tbody.replaceChildren(h("tr", {}, h("td", { colspan: 10, class: "muted" }, subscriptions)));
    return;
  }
  const max = Math.max(0, ...subscriptions.map((s) => s.status.lag));
  tbody.replaceChildren(
    ...subscriptions.map((s) => {
      const c = s.status.counters;
      const width = max > 0 ? Math.round((80 * s.status.lag) / max) : 0;
      const lag = h(
        "span",
        { class: `lag${s.status.lag > 1000 ? " high" : ""}` },
        h("span", { class: "bar", style: `width:${width}px` }),
        s.status.lag,
      );
      const sources = s.topics ? s.topics.join(", ") : `/${s.pattern}/`;
      const error =
        s.status.unreachableSince !== null ? `unreachable: ${s.status.lastError?.message ?? ""}` : (s.status.lastError?.message ?? "");
      const toggle = h("button", { type: "button", onclick: () => onToggle(s) }, s.paused ? "resume" : "pause");
      return row(
        [
          `${s.group}/${s.name}`,
          s.status.state,
          `${sources} → ${targetText(s)}`,
          lag,
          s.status.inFlight,
          c.delivered,
          c.retried,
          c.deadLettered + c.dropped,
          h("span", { class: "muted", title: error }, error.length > 60 ? `${error.slice(0, 60)}…` : error),
          toggle,
        ],
        { "data-subscription": `${s.group}/${s.name}`, "data-state": s.status.state },
      );
    }),
  );
}
