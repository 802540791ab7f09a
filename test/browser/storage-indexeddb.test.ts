// The shared conformance suite on Chromium's real IndexedDB.
import { runStorageConformance } from "@rill/storage-conformance";
import { indexedDbFixture } from "../../packages/storage-indexeddb/test/fixture.ts";

runStorageConformance(indexedDbFixture("indexeddb (chromium)", indexedDB));
