// @rill/storage-conformance: ONE suite that every backend of the storage seam must pass.
import { describe } from "vitest";
import type { StorageFixture } from "./fixture.ts";
import { floorCases } from "./floor-cases.ts";
import { logCases } from "./log-cases.ts";
import { mirrorCases } from "./mirror-cases.ts";
import { mirrorLogCases } from "./mirror-log-cases.ts";
import { mirrorPropertyCases } from "./mirror-property-cases.ts";
import { producerCases } from "./producer-cases.ts";
import { propertyCases } from "./property-cases.ts";
import { storageCases } from "./storage-cases.ts";

export type { StorageFixture } from "./fixture.ts";
export { freshPartition, makeBatch } from "./fixture.ts";

/** Registers the conformance suite for one backend with vitest. */
export function runStorageConformance(fixture: StorageFixture): void {
  describe(`storage conformance: ${fixture.name}`, () => {
    storageCases(fixture);
    mirrorCases(fixture);
    logCases(fixture);
    mirrorLogCases(fixture);
    floorCases(fixture);
    producerCases(fixture);
    propertyCases(fixture);
    mirrorPropertyCases(fixture);
  });
}
