// The worker script of the offline test app: the @rill/browser host, as an app bundles it.
import { startBrokerHost } from "@rill/browser/worker";

// retention runs every 2 s (default 60 s), so a test sees uploaded records leave a full disk soon
startBrokerHost({ maintenanceIntervalMs: 2_000 });
