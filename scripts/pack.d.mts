// Types of scripts/pack.mjs for the TypeScript that calls it (test/packaging).
export interface PackedPackage {
  name: string;
  version: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
}
export function packAll(options?: { outDir?: string; quiet?: boolean }): PackedPackage[];
export function packTable(packed: PackedPackage[]): string;
