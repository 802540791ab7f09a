// Market stall: an offline-first order-taking app on @rill/browser. Orders go into a local log
// (IndexedDB, shared by every tab through one worker) whether or not the network is there; the
// broker uploads them to the edge when it can, and mirrors the edge's price list for offline use.

import "../shared/page.css";
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

const PROVISION_RETRY_MS = 10_000;
const PROVISION_WAIT_MS = 1500;

async function start() {
  registerShellWorker();
  const edge = edgeUrl();
  // the edge needs its topics before anything can move: ask first (briefly, so an offline start is
  // not held up), and keep asking in the background until it answers once
  const provision = async (): Promise<void> => {
    if (!(await provisionEdge(edge))) setTimeout(provision, PROVISION_RETRY_MS);
  };
  await Promise.race([provision(), new Promise((r) => setTimeout(r, PROVISION_WAIT_MS))]);
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
    const status = broker.status();
    orders.setStatus(status);
    renderSync(status, localRecords);
    renderDevice(status);
  };
  broker.subscribe(showStatus);
  showStatus();
  // "last sync 5 s ago" ages even when nothing changes
  setInterval(showStatus, 1000);

  const syncNow = $<HTMLButtonElement>("#sync-now");
  syncNow.disabled = false;
  syncNow.addEventListener("click", async () => {
    syncNow.disabled = true;
    try {
      await broker.syncNow({ signal: AbortSignal.timeout(30_000) });
    } catch {
      // the status shows why (offline, errors); the button is for trying again
    } finally {
      syncNow.disabled = false;
    }
  });
  $("#persist").addEventListener("click", () => void broker.requestPersistence().then(showStatus));

  document.body.dataset.ready = "true";
}

start().catch((error) => {
  $("#connectivity").textContent = "failed";
  $("#order-result").textContent = `The local log could not start: ${error instanceof Error ? error.message : String(error)}`;
  document.body.dataset.ready = "failed";
});
