// A host replaced while frozen may still be running (a zombie) when it thaws. Two hosts over one
// IndexedDB database stand for that moment here: the storage's end-offset guard refuses whichever
// writes from a stale view, so the log never forks; a host whose view went stale rebuilds its broker
// from storage, so the client's retry lands after what the other wrote.
import { createIndexedDbStorage } from "@rill/storage-indexeddb";
import { describe, expect, it } from "vitest";
import { type LocalHost, openLocalHost } from "../../packages/browser/src/local-host.ts";

const dbName = `rill-stale-${Math.random().toString(36).slice(2, 8)}`;
let counter = 0;

async function host(rebuilt: string[]): Promise<LocalHost> {
  return openLocalHost({
    openStorage: () => createIndexedDbStorage({ dbName }),
    onStorageError: () => undefined,
    onStorageWrite: () => undefined,
    onRebuilt: (error) => rebuilt.push(error.code),
    onInFlight: () => undefined,
  });
}

async function call(h: LocalHost, method: string, path: string, body?: unknown) {
  const bytes = body === undefined ? null : (new TextEncoder().encode(JSON.stringify(body)).buffer as ArrayBuffer);
  const answer = await h.server.fetch({
    id: `stale:${++counter}`,
    method,
    url: `http://rill.local${path}`,
    headers: body === undefined ? [] : [["content-type", "application/json"]],
    body: bytes,
  });
  return { status: answer.status, body: JSON.parse(new TextDecoder().decode(answer.body ?? new ArrayBuffer(0))) };
}

const produce = (h: LocalHost, value: string) => call(h, "POST", "/v1/topics/ledger/records", { records: [{ value }] });

describe("two hosts over one database (a zombie and its replacement)", () => {
  it("refuses the stale writer, never forks the log, and recovers on retry", async () => {
    const zombieRebuilt: string[] = [];
    const freshRebuilt: string[] = [];
    const zombie = await host(zombieRebuilt);
    expect((await call(zombie, "POST", "/v1/topics", { name: "ledger" })).status).toBe(201);
    expect((await produce(zombie, "z0")).body.offsets).toEqual([{ partition: 0, offset: 0 }]);

    // the replacement writes: the zombie's view of the log end is now stale
    const fresh = await host(freshRebuilt);
    expect((await produce(fresh, "n1")).body.offsets).toEqual([{ partition: 0, offset: 1 }]);
    expect((await produce(fresh, "n2")).body.offsets).toEqual([{ partition: 0, offset: 2 }]);

    const refused = await produce(zombie, "z1");
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "CONCURRENT_APPEND", retriable: true });
    expect(zombieRebuilt).toEqual(["CONCURRENT_APPEND"]);

    // the other way round: a write from the (rebuilt, now current) zombie lands at the true end, and
    // the replacement's next write is refused once, rebuilds, and its retry goes after it
    expect((await produce(zombie, "z2")).body.offsets).toEqual([{ partition: 0, offset: 3 }]);
    const stale = await produce(fresh, "n3");
    expect(stale.body.error?.code).toBe("CONCURRENT_APPEND");
    expect(freshRebuilt).toEqual(["CONCURRENT_APPEND"]);
    expect((await produce(fresh, "n3")).body.offsets).toEqual([{ partition: 0, offset: 4 }]);

    const read = await call(fresh, "GET", "/v1/topics/ledger/partitions/0/records?offset=0");
    expect(read.body.records.map((r: { offset: number; value: string }) => `${r.offset}:${r.value}`)).toEqual([
      "0:z0",
      "1:n1",
      "2:n2",
      "3:z2",
      "4:n3",
    ]);
    await zombie.close();
    await fresh.close();
  });
});
