// Paging through one partition: a page is up to `limit` records starting at an offset, read with as
// many fetches as it takes (a fetch is bounded by bytes, not records). Offsets are dense except where
// compaction removed records, so the previous page starts `limit` offsets earlier and may hold fewer.

import type { Encoding, FetchAnswer, JsonRecord } from "./api.ts";

export type FetchRecords = (offset: number, encoding: Encoding) => Promise<FetchAnswer>;

export interface RecordPage {
  /** The offset the page was asked from (after clamping into the log). */
  start: number;
  records: JsonRecord[];
  /** Where the next page starts. */
  next: number;
  logStartOffset: number;
  highWatermark: number;
}

/** Bounds on fetches per page, so a page of tiny records over many batches still ends. */
const MAX_FETCHES_PER_PAGE = 16;

/** Reads up to `limit` records from `offset`, clamped into [logStart, highWatermark]. */
export async function readPage(
  fetchRecords: FetchRecords,
  request: { offset: number; limit: number; encoding: Encoding; logStartOffset: number; highWatermark: number },
): Promise<RecordPage> {
  const start = Math.min(Math.max(request.offset, request.logStartOffset), request.highWatermark);
  const records: JsonRecord[] = [];
  let next = start;
  let logStartOffset = request.logStartOffset;
  let highWatermark = request.highWatermark;
  for (let i = 0; i < MAX_FETCHES_PER_PAGE && records.length < request.limit; i++) {
    const answer = await fetchRecords(next, request.encoding);
    logStartOffset = answer.logStartOffset;
    highWatermark = answer.highWatermark;
    for (const record of answer.records) if (record.offset >= next && records.length < request.limit) records.push(record);
    const last = records[records.length - 1];
    const advanced = last ? last.offset + 1 : answer.nextOffset;
    if (advanced <= next || advanced >= highWatermark) {
      next = Math.max(next, advanced);
      break;
    }
    next = advanced;
  }
  return { start, records, next, logStartOffset, highWatermark };
}

/** Where the page before one starting at `start` begins. */
export function previousPageStart(start: number, limit: number, logStartOffset: number): number {
  return Math.max(logStartOffset, start - limit);
}

/** Where the last page of a partition begins (the newest `limit` records). */
export function lastPageStart(highWatermark: number, limit: number, logStartOffset: number): number {
  return Math.max(logStartOffset, highWatermark - limit);
}
