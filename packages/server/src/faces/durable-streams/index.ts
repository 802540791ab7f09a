// The Durable Streams protocol (as served by @durable-streams/server 0.3.7) over Rill's engine:
// a stream is a topic of one partition named like the stream, each append one record, settings in
// an internal group's committed-offset metadata (stream-store.ts). Mounted at /v1/stream.
//   PUT create · POST append/close · GET read (catch-up, long-poll, SSE) · HEAD metadata · DELETE

import { Hono } from "hono";
import type { Broker } from "../../broker.ts";
import { appendToStream } from "./append.ts";
import { createFace, type DurableStreamsOptions, goneAnswer, notFound, streamName } from "./context.ts";
import { createStream } from "./create.ts";
import { EXPOSED } from "./protocol.ts";
import { headStream, readStream } from "./read.ts";

export type { DurableStreamsOptions } from "./context.ts";

export function durableStreamsRoutes(broker: Broker, options: DurableStreamsOptions = {}): Hono {
  const face = createFace(broker, options);
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    // browsers may read the protocol's headers, and fetch streams from other origins (protocol 10.7)
    c.res.headers.set("access-control-expose-headers", EXPOSED.join(", "));
    c.res.headers.set("cross-origin-resource-policy", "cross-origin");
  });
  app.put("/:name", (c) => createStream(c, face));
  app.post("/:name", (c) => appendToStream(c, face));
  app.get("/:name", (c) => (c.req.method === "HEAD" ? headStream(c, face) : readStream(c, face)));
  app.delete("/:name", async (c) => {
    const name = streamName(c);
    const stream = await face.store.open(name, { fresh: true });
    if (!stream) return notFound(c, name);
    if (stream.state.refs?.softDeleted) return goneAnswer(c, name);
    // forks still read it: keep the data, refuse everything else, and go when the last fork does
    if ((stream.state.refs?.forks ?? 0) > 0) await face.store.setRefs(stream, { forks: stream.state.refs?.forks ?? 0, softDeleted: true });
    else await face.store.destroy(stream);
    return c.body(null, 204);
  });
  return app;
}
