// The verdict of an offline run, from state: the edge holds every locally acknowledged record once,
// in local order; uploaded() gives the edge offsets where the last records are; the browser's
// replica holds the edge's batches byte for byte, each record at its edge offset.
import type { Page } from "playwright-core";
import { batchesOf, readTopic } from "../../packages/sync/test/harness.ts";
import { type Acked, check } from "../faults/check.ts";
import type { OfflineRunResult } from "./run.ts";

export async function judgeOfflineRun(
  page: Page,
  acked: readonly Acked[],
  edgeUrl: string,
  partitions: number,
  log: (line: string) => void,
): Promise<Omit<OfflineRunResult, "counts">> {
  // uploaded(): the edge offsets the host gives for the last records must hold those records
  const lastOnes = acked.slice(-200);
  const edgeOffsets = await page.evaluate(
    (rs) => window.rillTest.uploaded(rs),
    lastOnes.map((a) => ({ partition: a.partition, offset: a.offset })),
  );
  const onEdge = await readTopic(fetch, edgeUrl, "orders", partitions);
  const where = new Map(onEdge.map((r) => [`${r.partition}/${r.offset}`, r.id]));
  let uploadedKnown = 0;
  let uploadedWrong = 0;
  lastOnes.forEach((a, i) => {
    const offset = edgeOffsets[i] as number;
    if (offset < 0) return;
    uploadedKnown++;
    if (where.get(`${a.partition}/${offset}`) !== a.id) uploadedWrong++;
  });
  log(`uploaded(): ${uploadedKnown} of the last ${lastOnes.length} records have a known edge offset, ${uploadedWrong} of them wrong`);
  const verdict = check(acked.length, acked, onEdge);
  // sends whose acknowledgement never reached the test (killed in between) are the extra ones read back
  verdict.attempted = acked.length + verdict.unacknowledgedButPresent;
  // offsets are judged where sync promises them: the replica holds each record at its edge offset
  let replicaMismatches = 0;
  const replicaRecords: Array<{ id: string; partition: number; offset: number }> = [];
  for (let p = 0; p < partitions; p++) {
    const upstream = await batchesOf(fetch, edgeUrl, "orders", p, 0);
    const copy = new Map((await page.evaluate((n) => window.rillTest.replicaBatches(n), p)) as Array<[number, string]>);
    for (const [base, hex] of upstream) if (copy.get(base) !== hex) replicaMismatches++;
    if (copy.size !== upstream.size) replicaMismatches += Math.abs(copy.size - upstream.size);
  }
  for (let p = 0; p < partitions; p++) replicaRecords.push(...(await page.evaluate((n) => window.rillTest.replicaRecords(n), p)));
  const movedOffsets = check(
    onEdge.length,
    onEdge.map((r) => ({ ...r, producer: 0, seq: 0 })),
    replicaRecords,
  ).movedOffsets;
  return { verdict: { ...verdict, movedOffsets }, replicaMismatches, movedOffsets, uploadedKnown, uploadedWrong };
}
