// Keep-alive HTTP for the HTTP systems (Node's fetch keeps connections open per origin), with
// failures reported with their answer.

export async function request(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  return res;
}

/** Sends and drains the answer (so the connection goes back to the pool). */
export async function send(url: string, init: RequestInit): Promise<void> {
  const res = await request(url, init);
  await res.arrayBuffer();
}
