// globalSetup of the browser project: a real HTTP server (the in-process broker on memory storage,
// via @hono/node-server) on 127.0.0.1, whose URL the browser tests get through inject("rillBrokerUrl").
import { serve } from "@hono/node-server";
import { createBusApp, createLocalBroker } from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import type { TestProject } from "vitest/node";
import type {} from "./client-context.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = createLocalBroker({ storage: createMemoryStorage() });
  const app = createBusApp(broker);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  project.provide("rillBrokerUrl", `http://127.0.0.1:${port}`);
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await broker.close();
  };
}
