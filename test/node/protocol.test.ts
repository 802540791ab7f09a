// The protocol suites against the in-process broker on memory storage.
import { createBusApp, createLocalBroker } from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import { groupsSuite } from "../protocol/groups-suite.ts";
import { type ProtocolFixture, protocolSuite } from "../protocol/suite.ts";

const app = createBusApp(createLocalBroker({ storage: createMemoryStorage() }));
const fixture: ProtocolFixture = { name: "node in-process (memory)", fetch: async (path, init) => app.request(path, init) };
protocolSuite(fixture);
groupsSuite(fixture);
