// The shared conformance suite and the robustness cases on Chromium's real IndexedDB. A real full
// disk needs a browser profile on a small tmpfs (toolchain.md), which the browser runtime's own
// tests set up; here quota is simulated at the request, as in Node.
import { runStorageConformance } from "@rill/storage-conformance";
import { indexedDbFixture } from "../../packages/storage-indexeddb/test/fixture.ts";
import { robustnessCases } from "../../packages/storage-indexeddb/test/robustness-cases.ts";

runStorageConformance(indexedDbFixture("indexeddb (chromium)", indexedDB));
robustnessCases("chromium", indexedDB);
