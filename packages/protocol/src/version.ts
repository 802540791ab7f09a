// The version of the Rill packages (they all move together), as a constant every bundler inlines:
// `npm run version:set` writes it with the package.json versions, the pack refuses one that differs
// from them, and test/node/openapi.test.ts checks it.

/** The version of the Rill packages this code belongs to. */
export const RILL_VERSION = "0.2.0";
