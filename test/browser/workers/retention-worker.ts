// A host that runs retention and compaction every 100 ms, so the retention test need not wait a minute.
import { startBrokerHost } from "@rill/browser/worker";

startBrokerHost({ maintenanceIntervalMs: 100 });
