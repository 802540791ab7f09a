// POST /v1/stream/:name — append (protocol 5.2), close (Stream-Closed: true, with or without a
// body), with the writer sequence (Stream-Seq) and the idempotent producer headers.
//   -> 204 (200 for a producer's new append) with Stream-Next-Offset, Producer-Epoch, Producer-Seq,
//      Stream-Closed; 403 stale epoch (Producer-Epoch: current); 409 gap (Producer-Expected-Seq,
//      Producer-Received-Seq), closed stream, content type mismatch or Stream-Seq regression.

import type { Context } from "hono";
import { jsonAppendValue } from "./content.ts";
import { answer, closedConflict, type Face, goneAnswer, notFound, problem, streamName } from "./context.ts";
import { formatOffset, H, invalid, isJsonType, mediaType } from "./protocol.ts";
import type { ProducerTuple, Stream } from "./stream-store.ts";
import { type AppendOutcome, producerFrom } from "./writer.ts";

/** Producer tuples remembered beside Stream-Seq (to answer a retry carrying both as a duplicate). */
const WRITERS_REMEMBERED = 64;

function producerHeaders(producer: ProducerTuple | undefined, seq = producer?.seq): Record<string, string | undefined> {
  return producer ? { [H.producerEpoch]: String(producer.epoch), [H.producerSeq]: String(seq) } : {};
}

function sameTuple(a: ProducerTuple | undefined, b: ProducerTuple | undefined): boolean {
  return a !== undefined && b !== undefined && a.id === b.id && a.epoch === b.epoch && a.seq === b.seq;
}

/** A producer's refusal as the protocol answers it; null when the append went through. */
function refusal(c: Context, outcome: AppendOutcome): Response | null {
  switch (outcome.kind) {
    case "appended":
      return null;
    case "stale-epoch":
      return problem(
        c,
        403,
        "PRODUCER_FENCED",
        "a newer epoch of this producer has written",
        outcome.currentEpoch === undefined ? {} : { [H.producerEpoch]: String(outcome.currentEpoch) },
      );
    case "epoch-needs-seq-0":
      return problem(c, 400, "INVALID_REQUEST", "a new producer epoch starts at Producer-Seq 0");
    case "gap":
      return problem(c, 409, "OUT_OF_ORDER_SEQUENCE_NUMBER", `expected Producer-Seq ${outcome.expected}, got ${outcome.received}`, {
        [H.expectedSeq]: String(outcome.expected),
        [H.receivedSeq]: String(outcome.received),
      });
  }
}

async function close(c: Context, face: Face, stream: Stream, producer: ProducerTuple | undefined): Promise<Response> {
  const closed = stream.state.closed;
  if (closed) {
    // closing again is idempotent, unless a producer other than the closer asks
    if (producer && !sameTuple(producer, closed.by)) return closedConflict(c, stream);
    return answer(c, 204, { [H.nextOffset]: formatOffset(closed.at), [H.closed]: "true", ...producerHeaders(producer) });
  }
  const outcome = await face.writer.append(stream, null, { close: true, producer });
  const refused = refusal(c, outcome);
  if (refused || outcome.kind !== "appended") return refused as Response;
  // the marker takes a Kafka offset but no stream position: the stream ends where it starts
  const at = outcome.next >= 0 ? outcome.next - 1 : await face.reader.tail(stream);
  if (!outcome.duplicate) await face.store.setClosed(stream, { at, by: producer });
  await face.store.touch(stream);
  return answer(c, 204, { [H.nextOffset]: formatOffset(stream.state.closed?.at ?? at), [H.closed]: "true", ...producerHeaders(producer) });
}

export async function appendToStream(c: Context, face: Face): Promise<Response> {
  const name = streamName(c);
  const producer = producerFrom(c.req.header(H.producerId), c.req.header(H.producerEpoch), c.req.header(H.producerSeq));
  const closing = c.req.header(H.closed) === "true";
  const writerSeq = c.req.header(H.seq);
  const body = new Uint8Array(await c.req.arrayBuffer());
  const contentType = c.req.header("content-type");
  if (body.length === 0 && !closing) throw invalid("an append needs a body (or Stream-Closed: true to close)");
  if (body.length > 0 && !contentType) throw invalid("an append needs a Content-Type");

  const stream = await face.store.open(name);
  if (!stream) return notFound(c, name);
  if (stream.state.refs?.softDeleted) return goneAnswer(c, name);
  if (body.length === 0) return close(c, face, stream, producer);

  if (stream.state.closed) {
    if (producer && sameTuple(producer, stream.state.closed.by)) {
      return answer(c, 204, { [H.nextOffset]: formatOffset(stream.state.closed.at), [H.closed]: "true", ...producerHeaders(producer) });
    }
    return closedConflict(c, stream);
  }
  const config = stream.state.config;
  if (mediaType(contentType) !== mediaType(config.contentType)) {
    return problem(c, 409, "CONTENT_TYPE_MISMATCH", `stream ${name} holds ${config.contentType}, not ${contentType}`);
  }
  const value = isJsonType(config.contentType) ? jsonAppendValue(body, false) : body;
  const writer = stream.state.writer;
  if (writerSeq !== undefined && writer?.seq !== undefined && writerSeq <= writer.seq) {
    // a producer's retry that also carries Stream-Seq is a duplicate, not a regression
    const last = producer ? writer.producers?.[producer.id] : undefined;
    if (producer && last && last[0] === producer.epoch && producer.seq <= last[1]) {
      return answer(c, 204, producerHeaders(producer, last[1]));
    }
    return problem(c, 409, "SEQUENCE_CONFLICT", `Stream-Seq ${writerSeq} is not after ${writer.seq}`);
  }

  const outcome = await face.writer.append(stream, value, { close: closing, producer });
  const refused = refusal(c, outcome);
  if (refused || outcome.kind !== "appended") return refused as Response;
  if (!outcome.duplicate) {
    if (writerSeq !== undefined) {
      const producers = { ...(writer?.producers ?? {}) };
      if (producer) {
        delete producers[producer.id];
        producers[producer.id] = [producer.epoch, producer.seq];
        const ids = Object.keys(producers);
        for (const id of ids.slice(0, Math.max(0, ids.length - WRITERS_REMEMBERED))) delete producers[id];
      }
      await face.store.setWriter(stream, { seq: writerSeq, producers });
    }
    if (closing) await face.store.setClosed(stream, { at: outcome.next, by: producer });
  }
  await face.store.touch(stream);
  const next = outcome.next >= 0 ? outcome.next : await face.reader.tail(stream);
  return answer(c, producer && !outcome.duplicate ? 200 : 204, {
    [H.nextOffset]: formatOffset(next),
    [H.closed]: closing || stream.state.closed ? "true" : undefined,
    ...producerHeaders(producer, outcome.highestSeq ?? producer?.seq),
  });
}
