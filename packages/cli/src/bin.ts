#!/usr/bin/env node
// The `rill` command as installed from npm (built to dist/bin.js, plain node). Inside the repository
// bin/rill.mjs runs the same main() from source through tsx.
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
