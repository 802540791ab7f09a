// @rill/browser: a Rill broker inside the browser, on IndexedDB, in a (Shared)Worker reached with
// comlink, spoken to with the same @rill/client API as any other broker. The worker side is
// "@rill/browser/worker".

export { type BrowserBroker, type BrowserBrokerOptions, createBrowserBroker } from "./browser-broker.ts";
export { type BrowserFetch, LOCAL_BROKER_URL } from "./page-fetch.ts";
export type { StatusListener } from "./page-status.ts";
export type { BrowserBrokerStatus, HostMode, HostState, HostStatus, StatusError, StorageStatus } from "./status.ts";
