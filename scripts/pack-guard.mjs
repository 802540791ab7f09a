#!/usr/bin/env node
// The `prepack` of every public package: inside the repository a package.json exports TypeScript
// source, so a tarball packed from here would not load outside it. `npm run pack` builds each package
// and packs it from a staged copy whose package.json carries the published fields (publishConfig).
console.error(
  "Packed from the source tree, this package would export TypeScript files. Run `npm run pack` at the repository root:\n" +
    "it builds every package and writes the publishable tarballs (then `npm publish <tarball>`).",
);
process.exit(1);
