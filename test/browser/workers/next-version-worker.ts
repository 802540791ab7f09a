// The host of a newer deploy whose database schema is one version ahead: its open has to wait for
// every older connection to close (the upgrade the storage gives up on after 5 s).
import { startBrokerHost } from "@rill/browser/worker";
import { RillError } from "@rill/core";
import { openRillDb } from "../../../packages/storage-indexeddb/src/connection.ts";
import { SCHEMA_VERSION } from "../../../packages/storage-indexeddb/src/schema.ts";

startBrokerHost({
  async openStorage(name) {
    const db = await openRillDb(indexedDB, name, { version: SCHEMA_VERSION + 1 });
    db.close();
    throw new RillError("INVALID_REQUEST", "the test keeps this upgrade blocked; it should not have opened");
  },
});
