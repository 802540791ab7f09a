// The default worker script of createBrowserBroker: serves whichever database its first page names.
import { startBrokerHost } from "./worker.ts";

startBrokerHost();
