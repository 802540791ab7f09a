// An HTTP proxy in front of the edge broker that a test can cut (connections dropped, new ones
// refused) and whose answers it can hold back, request by request. The demo app's SharedWorker
// reaches the edge through it: Playwright's context.setOffline takes the network from pages, not
// from shared workers.
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";

export type HoldRule = (request: { method: string; url: string }) => boolean;

export interface EdgeProxy {
  url: string;
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  /** Forwards requests that match `rule` but keeps their answers until release(). */
  holdAnswers(rule: HoldRule): void;
  release(): void;
  /** Answers held right now. */
  readonly heldCount: number;
  close(): Promise<void>;
}

export async function startEdgeProxy(target: string): Promise<EdgeProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let held: Array<() => void> = [];
  let rule: HoldRule | null = null;
  let cut = false;

  const server = createServer((req, res) => {
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer: IncomingMessage) => {
        const send = () => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        if (rule?.({ method: req.method ?? "GET", url: req.url ?? "/" })) held.push(send);
        else send();
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  server.on("connection", (socket) => {
    if (cut) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  const cutAll = () => {
    cut = true;
    held = [];
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    cut: cutAll,
    restore() {
      cut = false;
    },
    holdAnswers(next) {
      rule = next;
    },
    release() {
      rule = null;
      for (const send of held.splice(0)) send();
    },
    get heldCount() {
      return held.length;
    },
    async close() {
      cutAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
