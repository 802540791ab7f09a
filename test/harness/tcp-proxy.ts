// A TCP proxy between a client and a broker that misbehaves on purpose: it can cut connections,
// blackhole them (accept and never answer), delay them, hold answers, or forward a request and
// drop its answer, so lost answers and repeated requests really happen on the wire. HTTP/1.1
// without pipelining is assumed: on a connection, the first upstream bytes after client bytes are
// the start of that request's answer, which is where drop and hold decide.

import { connect, createServer, type Server, type Socket } from "node:net";

export type ProxyMode = "forward" | "cut" | "blackhole";

export interface ProxyCounters {
  connections: number;
  /** Requests whose first bytes were passed on to the broker. */
  requests: number;
  /** Answers dropped after their request was forwarded (the connection is reset instead). */
  droppedAnswers: number;
  /** Of those, answers to binary produce requests (POST .../batches): the ones a producer repeats. */
  droppedProduceAnswers: number;
  /** Connections refused or reset by `cut`. */
  cutConnections: number;
}

export interface TcpProxy {
  url: string;
  port: number;
  /** "forward" (default), "cut" (reset every connection, refuse new ones) or "blackhole" (accept, never answer). */
  setMode(mode: ProxyMode): void;
  mode(): ProxyMode;
  /** Drops this fraction of answers, after forwarding the request (0 to stop). */
  dropAnswers(fraction: number): void;
  /** Delays every chunk by ms in both directions (0 to stop). */
  delay(ms: number): void;
  /** Holds answers from now on; calls `onHeld` when one arrives and is held. */
  holdAnswers(onHeld?: () => void): void;
  /** Stops holding: held answers are passed on (`release`) or dropped with their connections. */
  stopHolding(how: "release" | "drop"): void;
  /** Calls `fn` each time an answer starts to pass to the client (null to stop). */
  onAnswer(fn: (() => void) | null): void;
  /** Points the proxy at another upstream port (a broker restarted elsewhere). */
  setUpstream(port: number): void;
  counters: ProxyCounters;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  awaitingAnswer: boolean;
  /** "POST /v1/..." of the request being answered. */
  request: string;
  dropping: boolean;
  holding: Buffer[] | null;
}

export async function startTcpProxy(options: { upstreamPort: number; host?: string; random?: () => number }): Promise<TcpProxy> {
  const host = options.host ?? "127.0.0.1";
  const random = options.random ?? Math.random;
  let upstreamPort = options.upstreamPort;
  let mode: ProxyMode = "forward";
  let dropFraction = 0;
  let delayMs = 0;
  let hold: { onHeld?: () => void } | null = null;
  let answered: (() => void) | null = null;
  const pairs = new Set<Pair>();
  const blackholed = new Set<Socket>();
  const counters: ProxyCounters = { connections: 0, requests: 0, droppedAnswers: 0, droppedProduceAnswers: 0, cutConnections: 0 };

  function destroy(pair: Pair): void {
    pair.client.destroy();
    pair.upstream.destroy();
    pairs.delete(pair);
  }

  function later(fn: () => void): void {
    if (delayMs > 0) setTimeout(fn, delayMs);
    else fn();
  }

  const server: Server = createServer((client) => {
    counters.connections++;
    client.on("error", () => undefined);
    if (mode === "cut") {
      counters.cutConnections++;
      client.resetAndDestroy();
      return;
    }
    if (mode === "blackhole") {
      blackholed.add(client);
      client.on("data", () => undefined);
      client.on("close", () => blackholed.delete(client));
      return;
    }
    const upstream = connect({ host, port: upstreamPort });
    const pair: Pair = { client, upstream, awaitingAnswer: false, request: "", dropping: false, holding: null };
    pairs.add(pair);
    upstream.on("error", () => destroy(pair));
    client.on("close", () => destroy(pair));
    upstream.on("close", () => {
      if (!pair.holding) destroy(pair);
    });
    client.on("data", (chunk) => {
      if (mode !== "forward") return; // blackholed mid-connection: swallowed
      if (!pair.awaitingAnswer) {
        counters.requests++;
        pair.request = /^(\w+ \S+)/.exec(chunk.toString("latin1", 0, 200))?.[1] ?? "";
      }
      pair.awaitingAnswer = true;
      later(() => pair.upstream.write(chunk));
    });
    upstream.on("data", (chunk) => {
      if (mode !== "forward") return;
      if (pair.awaitingAnswer) {
        pair.awaitingAnswer = false;
        pair.dropping = dropFraction > 0 && random() < dropFraction;
        if (pair.dropping) {
          counters.droppedAnswers++;
          if (/^POST \S*\/batches/.test(pair.request)) counters.droppedProduceAnswers++;
        }
        if (hold && !pair.dropping) {
          pair.holding = [];
          hold.onHeld?.();
        } else if (!pair.dropping) answered?.();
      }
      if (pair.dropping) return destroy(pair);
      if (pair.holding) {
        pair.holding.push(chunk);
        return;
      }
      later(() => pair.client.write(chunk));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    url: `http://${host}:${port}`,
    port,
    setMode(next) {
      mode = next;
      if (next === "cut") {
        for (const pair of [...pairs]) {
          counters.cutConnections++;
          pair.client.resetAndDestroy();
          destroy(pair);
        }
      }
      if (next !== "blackhole") {
        for (const socket of blackholed) socket.destroy();
        blackholed.clear();
      }
    },
    mode: () => mode,
    dropAnswers(fraction) {
      dropFraction = fraction;
    },
    delay(ms) {
      delayMs = ms;
    },
    holdAnswers(onHeld) {
      hold = { onHeld };
    },
    stopHolding(how) {
      hold = null;
      for (const pair of [...pairs]) {
        if (!pair.holding) continue;
        const held = pair.holding;
        pair.holding = null;
        if (how === "drop") destroy(pair);
        else for (const chunk of held) pair.client.write(chunk);
      }
    },
    onAnswer(fn) {
      answered = fn;
    },
    setUpstream(next) {
      upstreamPort = next;
    },
    counters,
    async close() {
      for (const pair of [...pairs]) destroy(pair);
      for (const socket of blackholed) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
