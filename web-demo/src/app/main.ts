// Market stall: an offline-first order-taking app on @rill/browser. Orders go into a local log
// (IndexedDB, shared by every tab through one worker) whether or not the network is there; the
// broker uploads them to the edge when it can, and mirrors the edge's price list for offline use.

import "./app.css";
import { $ } from "../shared/dom.ts";
import { edgeUrl, LOCAL_ORDERS } from "./config.ts";
import { renderDevice } from "./device-panel.ts";
import { followTopic } from "./local-feed.ts";
import { createOrderForm } from "./order-form.ts";
import { newTabId, parseOrder } from "./orders.ts";
import { createOrdersView } from "./orders-view.ts";
import { followPrices } from "./prices-view.ts";
import { registerShellWorker } from "./register-shell.ts";
import { openStallBroker, orderProducer, provisionEdge } from "./stall-broker.ts";
import { renderSync } from "./sync-panel.ts";
import { readStatus } from "./sync-status.ts";

const PROVISION_RETRY_MS = 10_000;

async function start() {
  registerShellWorker();
  const edge = edgeUrl();
  const broker = await openStallBroker(edge);
  const client = broker.client({ clientId: "market-stall" });
  const tab = newTabId();
  const form = createOrderForm({ broker, producer: orderProducer(client), tab });
  const orders = createOrdersView();
  let localRecords = 0;

  followPrices(client, (prices) => form.setPrices(prices));
  followTopic(client, LOCAL_ORDERS, ({ partition, message }) => {
    const order = parseOrder(message.value);
    if (!order) return;
    localRecords++;
    orders.add({ partition, offset: message.offset, order });
  });

  const showStatus = () => {
    const status = readStatus(broker);
    orders.setStatus(status);
    renderSync(status, localRecords);
    renderDevice(status);
  };
  broker.subscribe(showStatus);
  showStatus();
  // "last sync 5 s ago" ages even when nothing changes
  setInterval(showStatus, 1000);

  const syncNow = $<HTMLButtonElement>("#sync-now");
  if (broker.syncNow) {
    syncNow.disabled = false;
    syncNow.addEventListener("click", async () => {
      syncNow.disabled = true;
      try {
        await broker.syncNow?.({ signal: AbortSignal.timeout(30_000) });
      } catch {
        // the status shows why (offline, errors); the button is for trying again
      } finally {
        syncNow.disabled = false;
      }
    });
  }
  $("#persist").addEventListener("click", () => void broker.requestPersistence().then(showStatus));

  // the edge needs its topics before anything can move; keep trying until it answers once
  const provision = async () => {
    if (!(await provisionEdge(edge))) setTimeout(provision, PROVISION_RETRY_MS);
  };
  void provision();

  document.body.dataset.ready = "true";
}

start().catch((error) => {
  $("#connectivity").textContent = "failed";
  $("#order-result").textContent = `The local log could not start: ${error instanceof Error ? error.message : String(error)}`;
  document.body.dataset.ready = "failed";
});
