// Talking to a broker under test over HTTP, for the protocol suites (suite.ts, rules-suite.ts,
// groups-suite.ts): a fixture names the runtime and sends requests; the client sends JSON and
// batches and reads answers; expectError checks a typed refusal.
import { expect } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";

export interface ProtocolFixture {
  name: string;
  /** Sends a request to the broker; `path` starts with "/". */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field by the assertions
export const jsonOf = async (r: Response): Promise<any> => r.json();

// the suites take their names from here too
export { uniqueTopic };

export function protocolClient(fixture: ProtocolFixture) {
  const json = async (method: string, path: string, body?: unknown) => {
    const response = await fixture.fetch(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  };
  return {
    json,
    createTopic: (name: string, partitions = 1, config: Record<string, string> = {}) =>
      json("POST", "/v1/topics", { name, partitions, config }),
    produce: (topic: string, records: unknown[], extra: Record<string, unknown> = {}) =>
      json("POST", `/v1/topics/${topic}/records`, { records, ...extra }),
    fetchRecords: (topic: string, partition: number, query: string) =>
      json("GET", `/v1/topics/${topic}/partitions/${partition}/records?${query}`),
    postBatch: (topic: string, partition: number, bytes: Uint8Array, query = "") =>
      fixture.fetch(`/v1/topics/${topic}/partitions/${partition}/batches${query}`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: bytes as Uint8Array<ArrayBuffer>,
      }),
  };
}

/** Expects a typed refusal: this status, and this code in the error body. */
export function expectError(res: { status: number; body: { error?: { code?: string } } }, status: number, code: string): void {
  expect(res.body?.error?.code).toBe(code);
  expect(res.status).toBe(status);
}
