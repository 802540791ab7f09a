// The upload cursor on a full disk: the storage refuses the cursor write for quota while records
// still reach the edge. syncNow resolves anyway (the records are on the edge), the cursor waits in
// memory, and once the storage takes writes again it is written without any further upload.
import { RillError, type Storage } from "@rill/core";
import { startNodeBroker } from "@rill/node";
import { createMemoryStorage } from "@rill/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../../../test/helpers/wait.ts";
import { uploadKey } from "../src/device.ts";
import { SYNC_NAMESPACE, type UploadDoc } from "../src/upload-store.ts";
import { createLocalSide, createTopic, engineOn, produceLocal, readTopic } from "./harness.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A storage whose upload cursor writes fail for quota while `full` is set, as IndexedDB's do. */
function cursorRefusingStorage(): { storage: Storage; setFull(full: boolean): void; refused(): number } {
  const inner = createMemoryStorage();
  let full = false;
  let refused = 0;
  const storage: Storage = {
    ...inner,
    async putDocument(namespace, id, expectedVersion, value) {
      if (full && namespace === SYNC_NAMESPACE && id.startsWith("upload/")) {
        refused++;
        throw new RillError("KAFKA_STORAGE_ERROR", "IndexedDB quota exceeded; nothing of this write was stored", { quotaExceeded: true });
      }
      return inner.putDocument(namespace, id, expectedVersion, value);
    },
  };
  return { storage, setFull: (next) => void (full = next), refused: () => refused };
}

describe("upload cursor on a full disk", () => {
  it("syncs while the cursor write is refused for quota, and writes the cursor once there is room", async () => {
    const edge = await startNodeBroker();
    cleanups.push(() => edge.close());
    await createTopic(fetch, edge.url, "orders", 1);
    const disk = cursorRefusingStorage();
    const local = createLocalSide(disk.storage, ["outbox"]);
    await createTopic(local.fetch, "", "outbox", 1);
    const engine = engineOn(local, [edge.url], { upload: [{ local: "outbox", edge: "orders" }] }, { deviceId: "d1" });
    cleanups.push(() => engine.stop());
    await engine.start();
    const cursor = async () => (await disk.storage.getDocument<UploadDoc>(SYNC_NAMESPACE, uploadKey("outbox", 0)))?.value.acked;

    await produceLocal(local, "outbox", { producer: 0, from: 0, count: 20, perRequest: 5, partitions: 1 });
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(await cursor()).toBe(20);

    disk.setFull(true);
    await produceLocal(local, "outbox", { producer: 0, from: 20, count: 20, perRequest: 5, partitions: 1 });
    const status = await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(status.upload.outboxRecords).toBe(0);
    expect((await readTopic(fetch, edge.url, "orders", 1)).map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => `p0-${i}`));
    expect(disk.refused()).toBeGreaterThan(0);
    expect(await cursor()).toBe(20);
    // retention may free what is on the edge even though the cursor is not written: the only way
    // the disk gets room for it
    expect(await engine.retentionFloor("outbox", 0)).toBe(40);
    expect(engine.status().errors).toContainEqual(expect.objectContaining({ code: "KAFKA_STORAGE_ERROR" }));

    // room again: the cursor is written with nothing more uploaded, and later cursor writes go on
    disk.setFull(false);
    await until(async () => (await cursor()) === 40, "the cursor written once the storage takes writes");
    await produceLocal(local, "outbox", { producer: 0, from: 40, count: 5, perRequest: 5, partitions: 1 });
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(await cursor()).toBe(45);
  });

  it("keeps retention below the written cursor while a cursor write is in flight", async () => {
    const edge = await startNodeBroker();
    cleanups.push(() => edge.close());
    await createTopic(fetch, edge.url, "orders", 1);
    const inner = createMemoryStorage();
    let held: Promise<void> | null = null;
    let release = () => {};
    const storage: Storage = {
      ...inner,
      async putDocument(namespace, id, expectedVersion, value) {
        if (held && namespace === SYNC_NAMESPACE && id.startsWith("upload/")) await held;
        return inner.putDocument(namespace, id, expectedVersion, value);
      },
    };
    const local = createLocalSide(storage, ["outbox"]);
    await createTopic(local.fetch, "", "outbox", 1);
    const engine = engineOn(local, [edge.url], { upload: [{ local: "outbox", edge: "orders" }] }, { deviceId: "d1" });
    cleanups.push(async () => {
      release();
      await engine.stop();
    });
    await engine.start();
    await produceLocal(local, "outbox", { producer: 0, from: 0, count: 20, perRequest: 5, partitions: 1 });
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(await engine.retentionFloor("outbox", 0)).toBe(20);

    // the next cursor write is held: records reach the edge, but a crash now would restart from
    // cursor 20, so nothing from 20 on may be deleted locally yet
    held = new Promise<void>((resolve) => (release = resolve));
    await produceLocal(local, "outbox", { producer: 0, from: 20, count: 20, perRequest: 5, partitions: 1 });
    await until(async () => (await readTopic(fetch, edge.url, "orders", 1)).length === 40, "the second 20 records on the edge");
    await until(() => engine.status().upload.outboxRecords === 0, "the outbox shown empty");
    expect(await engine.retentionFloor("outbox", 0)).toBe(20);

    release();
    held = null;
    await until(async () => (await engine.retentionFloor("outbox", 0)) === 40, "the floor moved once the cursor is written");
  });
});
