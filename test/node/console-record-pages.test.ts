// The console's record paging (web-demo/src/console/record-pages.ts) over a fake partition: pages
// gathered from several byte-bounded fetches, compaction holes, clamping into the log, both ends.
import { describe, expect, it } from "vitest";
import type { FetchAnswer } from "../../web-demo/src/console/api.ts";
import { lastPageStart, previousPageStart, readPage } from "../../web-demo/src/console/record-pages.ts";

/** A partition holding `offsets` (holes where compaction removed records), answering `perFetch` records a fetch. */
function partition(offsets: number[], perFetch: number, logStartOffset = offsets[0] ?? 0) {
  const highWatermark = (offsets[offsets.length - 1] ?? -1) + 1;
  const fetched: number[] = [];
  const fetchRecords = async (offset: number): Promise<FetchAnswer> => {
    fetched.push(offset);
    const records = offsets
      .filter((o) => o >= offset)
      .slice(0, perFetch)
      .map((o) => ({ offset: o, timestamp: 1000 + o, key: null, value: `v${o}`, headers: {} }));
    const last = records[records.length - 1];
    return { records, nextOffset: last ? last.offset + 1 : offset, highWatermark, logStartOffset };
  };
  return { fetchRecords, fetched, highWatermark, logStartOffset };
}

const offsetsOf = (page: { records: Array<{ offset: number }> }) => page.records.map((r) => r.offset);

describe("console record pages", () => {
  it("gathers a page from several fetches and says where the next starts", async () => {
    const p = partition(
      Array.from({ length: 30 }, (_, i) => i),
      4,
    );
    const page = await readPage(p.fetchRecords, { offset: 5, limit: 10, encoding: "utf8", logStartOffset: 0, highWatermark: 30 });
    expect(offsetsOf(page)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(page.next).toBe(15);
    expect(p.fetched).toEqual([5, 9, 13]);
  });

  it("skips compaction holes and stops at the high watermark", async () => {
    const p = partition([0, 3, 4, 9, 12], 2);
    const page = await readPage(p.fetchRecords, { offset: 1, limit: 10, encoding: "utf8", logStartOffset: 0, highWatermark: 13 });
    expect(offsetsOf(page)).toEqual([3, 4, 9, 12]);
    expect(page.next).toBe(13);
  });

  it("clamps a start outside the log into it", async () => {
    const p = partition([10, 11, 12], 10, 10);
    const below = await readPage(p.fetchRecords, { offset: 2, limit: 5, encoding: "utf8", logStartOffset: 10, highWatermark: 13 });
    expect(below.start).toBe(10);
    expect(offsetsOf(below)).toEqual([10, 11, 12]);
    const above = await readPage(p.fetchRecords, { offset: 99, limit: 5, encoding: "utf8", logStartOffset: 10, highWatermark: 13 });
    expect(above.start).toBe(13);
    expect(above.records).toEqual([]);
  });

  it("places the previous and the last page inside the log", () => {
    expect(previousPageStart(25, 10, 0)).toBe(15);
    expect(previousPageStart(4, 10, 0)).toBe(0);
    expect(previousPageStart(14, 10, 8)).toBe(8);
    expect(lastPageStart(41, 10, 0)).toBe(31);
    expect(lastPageStart(5, 10, 2)).toBe(2);
  });
});
