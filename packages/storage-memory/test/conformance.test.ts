import { runStorageConformance } from "@rill/storage-conformance";
import { createMemoryStorage } from "../src/index.ts";

runStorageConformance({ name: "memory", create: async () => createMemoryStorage() });
