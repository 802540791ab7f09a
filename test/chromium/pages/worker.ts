// The worker script the Chromium test pages start: the package's host, as an app bundles it.
import { startBrokerHost } from "@rill/browser/worker";

startBrokerHost();
