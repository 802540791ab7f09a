// The worker script of the offline test app: the @rill/browser host, as an app bundles it.
import { startBrokerHost } from "@rill/browser/worker";

startBrokerHost();
