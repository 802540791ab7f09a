// PUT /v1/stream/:name — create a stream (or confirm one with the same settings: 200; different: 409).
//   Content-Type (default application/octet-stream), Stream-TTL (seconds, sliding) or
//   Stream-Expires-At (RFC 3339), Stream-Closed: true, an optional initial body, and for a fork
//   Stream-Forked-From (a stream path), Stream-Fork-Offset (default: the source's end) and
//   Stream-Fork-Sub-Offset (part of the source's record at the fork offset: bytes, or JSON messages).
//   -> 201 (Location) | 200, with Content-Type, Stream-Next-Offset, Stream-Closed.

import { encodeUtf8, isRillError, MAX_BATCH_BYTES, RillError } from "@rill/core";
import type { Context } from "hono";
import { identityOf } from "../../security/identity.ts";
import { jsonAppendValue, jsonMessages } from "./content.ts";
import { answer, type Face, problem, streamName } from "./context.ts";
import { formatOffset, H, invalid, isJsonType, mediaType, parseOffset } from "./protocol.ts";
import type { Stream, StreamConfig } from "./stream-store.ts";

const STREAM_PREFIX = "/v1/stream/";

interface CreateRequest {
  contentType: string | undefined;
  ttlSeconds?: number;
  expiresAt?: string;
  closed: boolean;
  fork?: { from: string; offset?: number; subOffset?: number };
}

function parseCreate(c: Context): CreateRequest {
  const ttl = c.req.header(H.ttl);
  const expiresAt = c.req.header(H.expiresAt);
  if (ttl !== undefined && expiresAt !== undefined) throw invalid("send Stream-TTL or Stream-Expires-At, not both");
  if (ttl !== undefined && !/^(0|[1-9]\d*)$/.test(ttl))
    throw invalid(`Stream-TTL must be a whole number of seconds, got ${JSON.stringify(ttl)}`);
  if (expiresAt !== undefined && !Number.isFinite(Date.parse(expiresAt)))
    throw invalid(`Stream-Expires-At is not an RFC 3339 time: ${expiresAt}`);
  const raw = c.req.header("content-type");
  const contentType = raw && /^[\w.+-]+\/[\w.+-]+/.test(raw.trim()) ? raw.trim() : undefined;
  const from = c.req.header(H.forkedFrom);
  const forkOffset = c.req.header(H.forkOffset);
  const subOffset = c.req.header(H.forkSubOffset);
  if (subOffset !== undefined && from === undefined) throw invalid("Stream-Fork-Sub-Offset needs Stream-Forked-From");
  if (subOffset !== undefined && !/^(0|[1-9]\d*)$/.test(subOffset)) throw invalid("Stream-Fork-Sub-Offset must be a whole number");
  if (forkOffset !== undefined && !/^\d+_\d+$/.test(forkOffset)) throw invalid(`Stream-Fork-Offset is not an offset: ${forkOffset}`);
  let fork: CreateRequest["fork"];
  if (from !== undefined) {
    const path = from.startsWith("http") ? new URL(from).pathname : from;
    if (!path.startsWith(STREAM_PREFIX)) throw invalid(`Stream-Forked-From must be a stream path (${STREAM_PREFIX}<name>)`);
    fork = {
      from: decodeURIComponent(path.slice(STREAM_PREFIX.length)),
      offset: forkOffset === undefined ? undefined : parseOffset(forkOffset),
      subOffset: subOffset === undefined || subOffset === "0" ? undefined : Number(subOffset),
    };
  }
  return {
    contentType,
    ttlSeconds: ttl === undefined ? undefined : Number(ttl),
    expiresAt,
    closed: c.req.header(H.closed) === "true",
    fork,
  };
}

function sameSettings(stream: Stream, request: CreateRequest, contentType: string): boolean {
  const config = stream.state.config;
  const fork = config.fork;
  return (
    mediaType(config.contentType) === mediaType(contentType) &&
    config.ttlSeconds === request.ttlSeconds &&
    config.expiresAt === request.expiresAt &&
    Boolean(stream.state.closed) === request.closed &&
    fork?.from === request.fork?.from &&
    (request.fork?.offset === undefined || request.fork.offset === fork?.offset) &&
    (fork?.subOffset ?? 0) === (request.fork?.subOffset ?? 0)
  );
}

/** The prefix of the source's record at the fork offset that a sub-offset keeps. */
async function subOffsetPrefix(face: Face, source: Stream, offset: number, subOffset: number): Promise<Uint8Array> {
  const record = await face.reader.recordAt(source, offset);
  if (!record || record.position !== offset) throw invalid("Stream-Fork-Sub-Offset: the source has no record at the fork offset");
  if (isJsonType(source.state.config.contentType)) {
    const messages = jsonMessages(record.value);
    if (subOffset > messages.length) throw invalid("Stream-Fork-Sub-Offset is past the messages of that record");
    return encodeUtf8(
      `[${messages
        .slice(0, subOffset)
        .map((m) => JSON.stringify(m))
        .join(",")}]`,
    );
  }
  if (subOffset > record.value.length) throw invalid("Stream-Fork-Sub-Offset is past the bytes of that record");
  return record.value.slice(0, subOffset);
}

export async function createStream(c: Context, face: Face): Promise<Response> {
  const name = streamName(c);
  const request = parseCreate(c);
  const body = new Uint8Array(await c.req.arrayBuffer());
  let source: Stream | null = null;
  if (request.fork) {
    // the operation list checks the new stream's name only; reading another stream is for super users
    if (!identityOf(c).superUser) {
      throw new RillError("TOPIC_AUTHORIZATION_FAILED", "forking a stream needs a super user while ACLs cannot name the source");
    }
    source = await face.store.open(request.fork.from, { fresh: true });
    if (!source) return problem(c, 404, "NOT_FOUND", `fork source ${request.fork.from} does not exist`);
    if (source.state.refs?.softDeleted) return problem(c, 409, "STREAM_GONE", `fork source ${request.fork.from} was deleted`);
    if (request.contentType && mediaType(request.contentType) !== mediaType(source.state.config.contentType)) {
      return problem(c, 409, "CONTENT_TYPE_MISMATCH", "a fork keeps its source's content type");
    }
  }
  const contentType = request.contentType ?? source?.state.config.contentType ?? "application/octet-stream";

  const existing = await face.store.open(name, { fresh: true });
  if (existing) {
    if (existing.state.refs?.softDeleted) return problem(c, 409, "STREAM_GONE", `stream ${name} was deleted; its forks still read it`);
    if (existing.plain || !sameSettings(existing, request, contentType)) {
      return problem(c, 409, "TOPIC_ALREADY_EXISTS", `stream ${name} exists with other settings`);
    }
    return answer(c, 200, {
      "content-type": existing.state.config.contentType,
      [H.nextOffset]: formatOffset(await face.reader.tail(existing)),
      [H.closed]: existing.state.closed ? "true" : undefined,
    });
  }

  let fork: StreamConfig["fork"];
  let prefix: Uint8Array | undefined;
  if (source && request.fork) {
    const end = await face.reader.tail(source);
    const offset = request.fork.offset ?? end;
    if (offset > end) throw invalid(`Stream-Fork-Offset ${formatOffset(offset)} is past the source's end ${formatOffset(end)}`);
    if (request.fork.subOffset) prefix = await subOffsetPrefix(face, source, offset, request.fork.subOffset);
    fork = { from: source.name, offset, subOffset: request.fork.subOffset };
  }
  // a fork without its own expiry lives as long as its source would
  const inherit = source && request.ttlSeconds === undefined && request.expiresAt === undefined;
  const ttlSeconds = inherit ? source?.state.config.ttlSeconds : request.ttlSeconds;
  const expiresAt = inherit && ttlSeconds === undefined ? source?.state.config.expiresAt : request.expiresAt;

  const initial = body.length === 0 ? null : isJsonType(contentType) ? jsonAppendValue(body, true) : body;
  let topic: Stream["topic"];
  try {
    topic = await face.broker.createTopic({ name, partitions: 1, config: { "retention.ms": -1, "max.message.bytes": MAX_BATCH_BYTES } });
  } catch (error) {
    // another request made it first: theirs stands, and this one is an idempotent create or a conflict
    if (isRillError(error, "TOPIC_ALREADY_EXISTS")) return createStream(c, face);
    if (isRillError(error, "INVALID_TOPIC_EXCEPTION")) throw invalid(error.message);
    throw error;
  }
  const config: StreamConfig = { topicId: topic.topicId, contentType, ttlSeconds, expiresAt, createdAt: Date.now(), fork };
  await face.store.saveConfig(name, config);
  if (source) await face.store.setRefs(source, { forks: (source.state.refs?.forks ?? 0) + 1, softDeleted: false });
  const stream: Stream = { name, topic, plain: false, state: { config, lastAccessAt: config.createdAt } };
  let next = fork?.offset ?? 0;
  for (const value of [prefix, initial]) {
    if (!value) continue;
    const outcome = await face.writer.append(stream, value, { close: false });
    if (outcome.kind === "appended") next = outcome.next;
  }
  if (request.closed) {
    await face.writer.append(stream, null, { close: true });
    await face.store.setClosed(stream, { at: next });
  }
  return answer(c, 201, {
    location: new URL(c.req.url).href,
    "content-type": contentType,
    [H.nextOffset]: formatOffset(next),
    [H.closed]: request.closed ? "true" : undefined,
  });
}
