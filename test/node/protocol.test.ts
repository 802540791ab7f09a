// The protocol suite against the in-process broker on memory storage.
import { createBusApp, createLocalBroker } from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import { protocolSuite } from "../protocol/suite.ts";

const app = createBusApp(createLocalBroker({ storage: createMemoryStorage() }));
protocolSuite({ name: "node in-process (memory)", fetch: async (path, init) => app.request(path, init) });
