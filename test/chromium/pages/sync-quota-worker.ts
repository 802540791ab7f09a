// The host of the quota test page: retention every second (default 60 s), so uploaded records
// leave the full disk while the test watches, not a minute later.
import { startBrokerHost } from "@rill/browser/worker";

startBrokerHost({ maintenanceIntervalMs: 1_000 });
