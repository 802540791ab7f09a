// A worker in a browser without the Web Locks API (as the test page's init script makes the page).
import { startBrokerHost } from "@rill/browser/worker";

Object.defineProperty(Object.getPrototypeOf(navigator), "locks", { get: () => undefined, configurable: true });
startBrokerHost();
