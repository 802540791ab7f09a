// The Worker entry: routes requests to the Durable Objects.
export { PartitionObject } from "./partition-object.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return Response.json({ status: "ok" });
    return Response.json({ error: { code: "NOT_FOUND", message: `no route for ${url.pathname}`, retriable: false } }, { status: 404 });
  },
} satisfies ExportedHandler;
