import type { UntilOptions } from "../helpers/wait.ts";

// Debian's Chromium and the flags that work on these machines: headless, no sandbox (containers),
// and no background networking (the network is closed; Chromium would keep knocking).
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * How a test waits on a page, as `until`'s options (test/helpers/wait.ts): each look is a round trip
 * to Chromium, so it looks less often, and a browser on a loaded machine gets longer.
 */
export const pageWait = { everyMs: 100, timeoutMs: 30_000 } satisfies UntilOptions;
