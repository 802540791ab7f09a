// The shared conformance suite on fake-indexeddb in Node. idb checks values against the global IDB*
// classes, so the fake is installed globally rather than only passed in.
import "fake-indexeddb/auto";
import { runStorageConformance } from "@rill/storage-conformance";
import { indexedDbFixture } from "./fixture.ts";

runStorageConformance(indexedDbFixture("indexeddb (fake-indexeddb)", indexedDB));
