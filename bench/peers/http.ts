// Keep-alive HTTP for the HTTP systems. The timed sends go through node:http with a keep-alive
// agent rather than fetch: on these 2 cores the load generator shares the machine with the system
// under test, and node:http costs it about half of fetch's CPU per request, for every system alike.
import { Agent, request as httpRequest } from "node:http";

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export async function request(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  return res;
}

export interface SendInit {
  method: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * Sends and reads the whole answer (so the connection goes back to the pool); throws unless 2xx.
 * A kept-alive socket the server closed while idle fails the next request on it before the server
 * read anything (Node's `reusedSocket` case): that one is sent again, once, on a fresh socket.
 */
export function send(url: string, init: SendInit): Promise<void> {
  return sendOnce(url, init).catch((error: Error & { reusedSocket?: boolean; code?: string }) => {
    if (error.reusedSocket && (error.code === "ECONNRESET" || error.message === "socket hang up")) return sendOnce(url, init);
    throw error;
  });
}

function sendOnce(url: string, init: SendInit): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers: init.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`${init.method} ${url}: ${status} ${Buffer.concat(chunks).toString("utf8").slice(0, 300)}`));
      });
      res.on("error", reject);
    });
    req.on("error", (error: Error & { reusedSocket?: boolean }) => {
      error.reusedSocket = req.reusedSocket;
      reject(error);
    });
    req.end(init.body);
  });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * GET through the same keep-alive node:http agent, the whole answer in one buffer (catch-up
 * reads: several MB an answer, where fetch's web streams cost the load generator about twice the
 * CPU). No Accept-Encoding is sent: answers come as they are, uncompressed. Throws unless 2xx.
 */
export function getBytes(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "GET", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks);
        if (status >= 200 && status < 300) resolve({ status, headers: res.headers, body });
        else reject(new Error(`GET ${url}: ${status} ${body.toString("utf8").slice(0, 300)}`));
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
