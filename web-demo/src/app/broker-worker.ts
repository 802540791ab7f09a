// The worker that hosts the stall's local log (IndexedDB, behind the same HTTP app as every Rill
// broker). createBrowserBroker starts it as a SharedWorker, or a dedicated one where there is none.
import { startBrokerHost } from "@rill/browser/worker";

startBrokerHost();
