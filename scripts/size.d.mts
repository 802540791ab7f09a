// Types of scripts/size.mjs for the TypeScript that calls it (test/packaging).
export interface Weight {
  minified: number;
  gzipped: number;
}
export interface BundleSize {
  name: string;
  note?: string;
  initial: Weight;
  lazy?: Weight;
}
export const CLIENT_BUDGET_BYTES: number;
export function measureSizes(options?: { from?: string }): Promise<BundleSize[]>;
export function sizeTable(results: BundleSize[]): string;
export function clientWithinBudget(results: BundleSize[]): boolean;
