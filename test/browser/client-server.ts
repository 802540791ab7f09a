// globalSetup of the browser project: a real HTTP server (the in-process broker on memory storage,
// served by @rill/node) on 127.0.0.1, whose URL the browser tests get through inject("rillBrokerUrl").
import { startNodeBroker } from "@rill/node";
import type { TestProject } from "vitest/node";
import type {} from "./client-context.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await startNodeBroker();
  project.provide("rillBrokerUrl", broker.url);
  return () => broker.close();
}
