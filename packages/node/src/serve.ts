// The in-process broker served over HTTP on a socket (127.0.0.1 and a free port unless told).
import { serve } from "@hono/node-server";
import { createNodeBroker, type NodeBroker, type NodeBrokerOptions } from "./node-broker.ts";

export interface ListenOptions {
  /** Default 127.0.0.1: only loopback unless asked. */
  host?: string;
  /** Default 0: a free port, read back from `url`. */
  port?: number;
}

export interface StartNodeBrokerOptions extends NodeBrokerOptions, ListenOptions {}

export interface ServedNodeBroker extends NodeBroker {
  /** The base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  port: number;
  /** Stops listening and closes the broker. */
  close(): Promise<void>;
}

/** Serves an existing in-process broker on a socket (several sockets may serve one broker). */
export async function serveNodeBroker(node: NodeBroker, options: ListenOptions = {}): Promise<ServedNodeBroker> {
  const { host = "127.0.0.1", port = 0 } = options;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: node.app.fetch, hostname: host, port }, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  return {
    ...node,
    url: `http://${host}:${bound}`,
    port: bound,
    async close() {
      // idle keep-alive sockets would hold server.close() open until they time out
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await node.close();
    },
  };
}

/** A new in-process broker, served on 127.0.0.1 (a free port unless told). */
export function startNodeBroker(options: StartNodeBrokerOptions = {}): Promise<ServedNodeBroker> {
  const { host, port, ...rest } = options;
  return serveNodeBroker(createNodeBroker(rest), { host, port });
}
