// WebSocket live tails on a partition replica, with the hibernation API: sockets are accepted by
// the object (ctx.acceptWebSocket), each remembers its position in its attachment, and records are
// pushed when the high watermark moves. No timers run, so an idle object with open sockets can
// hibernate; the next append wakes it and the push goes out.

import type { PartitionLog } from "@rill/core";
import { jsonFetchAnswer } from "@rill/server";

export interface TailPosition {
  offset: number;
  encoding: "utf8" | "base64";
}

const PUSH_MAX_BYTES = 512 * 1024;

/** Sends every socket what it has not seen yet, up to the high watermark. */
export async function pushTails(ctx: DurableObjectState, log: PartitionLog): Promise<void> {
  for (const ws of ctx.getWebSockets()) {
    const position = ws.deserializeAttachment() as TailPosition | null;
    if (!position) continue;
    try {
      for (;;) {
        const result = await log.read(position.offset, { maxBytes: PUSH_MAX_BYTES });
        if (result.batches.length === 0 && result.nextOffset === position.offset) break;
        const answer = jsonFetchAnswer(result, position.offset, position.encoding);
        if (answer.records.length > 0) ws.send(JSON.stringify(answer));
        position.offset = answer.nextOffset;
        ws.serializeAttachment(position);
      }
    } catch (error) {
      // the log moved past this reader (retention) or the socket is gone: tell it and let it go
      ws.close(1011, String((error as Error).message ?? error).slice(0, 120));
    }
  }
}

/** Accepts an upgrade: the socket starts at `position` and gets its backlog at once. */
export async function acceptTail(ctx: DurableObjectState, log: PartitionLog, position: TailPosition): Promise<Response> {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  ctx.acceptWebSocket(server);
  server.serializeAttachment(position);
  await pushTails(ctx, log);
  return new Response(null, { status: 101, webSocket: client });
}
