#!/usr/bin/env node
// `rill`: runs the TypeScript source through tsx, so the CLI needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
