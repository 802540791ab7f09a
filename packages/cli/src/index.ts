// @rill/cli: the `rill` command, also callable in-process (tests, embedding).
export { type CliIO, EXIT } from "./io.ts";
export { DEFAULT_BROKER, main, processIO } from "./main.ts";
