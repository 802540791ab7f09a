// The ceiling of the local Workers stack, measured in the same run as everything else: a Worker
// that reads the request body and answers a small JSON, nothing more (no Durable Object).
export default {
  async fetch(request: Request): Promise<Response> {
    const body = await request.arrayBuffer();
    return Response.json({ bytes: body.byteLength });
  },
};
