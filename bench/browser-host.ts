// The broker host the bench page starts as a SharedWorker, as an app bundles "@rill/browser/worker".
import { startBrokerHost } from "@rill/browser/worker";

startBrokerHost();
