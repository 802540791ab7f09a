// The soak's readers: long-polling fetch loops (one per partition per reader set), live tails
// (server-sent events through the Worker, WebSockets held by the partition object) and a consumer
// group through @rill/client. Each checks what it gets: offsets dense and in order, and, for
// readers and the group, every acknowledged (producer, sequence) seen.
import { createClient, deserializers } from "@rill/client";
import WebSocket from "ws";
import { type Bits, createBits, noteError, parseValue, type SoakContext } from "./soak-load.ts";

/** One consumer of one partition (or, for the group, of all). */
export interface Follower {
  kind: "long-poll" | "sse" | "ws" | "group";
  partition: number;
  /** Next offset expected (the group: records handled). */
  position: number;
  records: number;
  /** Offsets out of order or seen twice. */
  disorder: number;
  stop(): Promise<void>;
}

/** Long-pollers of one reader set share what they have seen, across partitions. */
export interface ReaderSet {
  seen: Bits[];
  duplicates: number;
  followers: Follower[];
}

interface JsonRecord {
  offset: number;
  value: string | null;
}

/** Checks one record's offset against the follower's position; true when it is the next one. */
function inOrder(f: Follower, offset: number): boolean {
  if (offset !== f.position) {
    f.disorder++;
    if (offset < f.position) return false;
  }
  f.position = offset + 1;
  f.records++;
  return true;
}

/** Notes a record's identity for a reader set; the first set also times it end to end. */
function identify(ctx: SoakContext, set: ReaderSet, value: string | null, timed: boolean): void {
  const id = value ? parseValue(value) : undefined;
  if (!id) return;
  const bits = set.seen[id.producer];
  if (!bits?.add(id.sequence)) {
    set.duplicates++;
    return;
  }
  if (timed) {
    ctx.window.read++;
    ctx.window.endToEndMs.push(performance.now() - id.sentAt);
  }
}

export function createReaderSet(producers: number): ReaderSet {
  return { seen: Array.from({ length: producers }, () => createBits()), duplicates: 0, followers: [] };
}

/** A long-polling reader of one partition from offset 0. */
export function startLongPoll(ctx: SoakContext, set: ReaderSet, partition: number, timed: boolean): Follower {
  const abort = new AbortController();
  const base = `${ctx.url}/v1/topics/${ctx.topic}/partitions/${partition}/records?maxWaitMs=2000&maxBytes=1048576`;
  const follower: Follower = { kind: "long-poll", partition, position: 0, records: 0, disorder: 0, stop: async () => undefined };
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch(`${base}&offset=${follower.position}`, { signal: abort.signal });
        const text = await response.text();
        if (!response.ok) throw new Error(`fetch: ${response.status} ${text.slice(0, 200)}`);
        const page = JSON.parse(text) as { records: JsonRecord[] };
        for (const r of page.records) if (inOrder(follower, r.offset)) identify(ctx, set, r.value, timed);
      } catch (error) {
        if (abort.signal.aborted) break;
        noteError(ctx, error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  follower.stop = async () => {
    abort.abort();
    await loop;
  };
  set.followers.push(follower);
  return follower;
}

/** A live tail over server-sent events (`live=sse`), from offset 0. */
export function startSseTail(ctx: SoakContext, partition: number): Follower {
  const abort = new AbortController();
  const follower: Follower = { kind: "sse", partition, position: 0, records: 0, disorder: 0, stop: async () => undefined };
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        // Last-Event-ID resumes where a dropped stream ended, as EventSource does
        const headers: Record<string, string> = follower.position > 0 ? { "last-event-id": String(follower.position - 1) } : {};
        const url = `${ctx.url}/v1/topics/${ctx.topic}/partitions/${partition}/records?offset=0&live=sse`;
        const response = await fetch(url, { signal: abort.signal, headers });
        if (!response.ok || !response.body) throw new Error(`sse: ${response.status}`);
        const decoder = new TextDecoder();
        let buffer = "";
        for await (const chunk of response.body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(event)?.[1];
            if (data) inOrder(follower, (JSON.parse(data) as JsonRecord).offset);
          }
        }
      } catch (error) {
        if (abort.signal.aborted) break;
        noteError(ctx, error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  follower.stop = async () => {
    abort.abort();
    await loop;
  };
  return follower;
}

/** A live tail over a WebSocket (`live=ws`, held by the partition object), from offset 0. */
export function startWsTail(ctx: SoakContext, partition: number): Follower {
  let stopped = false;
  let socket: WebSocket | undefined;
  const follower: Follower = { kind: "ws", partition, position: 0, records: 0, disorder: 0, stop: async () => undefined };
  const connect = () => {
    const url = `${ctx.url.replace(/^http/, "ws")}/v1/topics/${ctx.topic}/partitions/${partition}/records?offset=${follower.position}&live=ws`;
    const ws = new WebSocket(url);
    socket = ws;
    ws.on("message", (data) => {
      const answer = JSON.parse(String(data)) as { records: JsonRecord[] };
      for (const r of answer.records) inOrder(follower, r.offset);
    });
    ws.on("error", (error) => {
      if (!stopped) noteError(ctx, error);
    });
    ws.on("close", () => {
      if (!stopped) setTimeout(connect, 500);
    });
  };
  connect();
  follower.stop = async () => {
    stopped = true;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => socket?.once("close", r));
    socket.close();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
  };
  return follower;
}

/** Consumer group members (@rill/client, committing as it goes); `set` collects what they saw. */
export async function startGroup(ctx: SoakContext, set: ReaderSet, members: number, groupId: string): Promise<Follower[]> {
  const followers: Follower[] = [];
  for (let i = 0; i < members; i++) {
    const consumer = createClient({ brokers: [ctx.url], logger: { warn: () => undefined } }).consumer<Uint8Array | null, string | null>({
      groupId,
      autoOffsetReset: "earliest",
      deserializers: { value: deserializers.string },
    });
    const follower: Follower = { kind: "group", partition: -1, position: 0, records: 0, disorder: 0, stop: async () => undefined };
    await consumer.subscribe({ topics: [ctx.topic] });
    const run = consumer
      .run({
        eachBatch: ({ batch }) => {
          for (const m of batch.messages) {
            follower.records++;
            identify(ctx, set, m.value, false);
          }
        },
      })
      .catch((error: unknown) => noteError(ctx, error));
    follower.stop = async () => {
      await consumer.disconnect().catch((error: unknown) => noteError(ctx, error));
      await run;
    };
    followers.push(follower);
    set.followers.push(follower);
  }
  return followers;
}

/**
 * Whether a reader set has seen every acknowledged record once. Records of failed requests may or
 * may not be in the log, so with any of those only "none missing" can be checked.
 */
export function readExactly(ctx: SoakContext, set: ReaderSet): boolean {
  const complete = ctx.acked.every((acked, p) => covers(set.seen[p] as Bits, acked));
  if (ctx.uncertain > 0) return complete;
  return complete && set.duplicates === 0 && ctx.acked.every((acked, p) => (set.seen[p] as Bits).count === acked.count);
}

/** Whether `seen` holds every acknowledged sequence (records of failed requests may be there too). */
export function covers(seen: Bits, acked: Bits): boolean {
  for (let n = 0, found = 0; found < acked.count; n++) {
    if (!acked.has(n)) continue;
    if (!seen.has(n)) return false;
    found++;
  }
  return true;
}
