// Rill inside another Worker: its routes under a path prefix (`/rill/v1/topics` -> `/v1/topics`).
// The app sees exactly the paths it serves on its own, so route matching, the operation table that
// authorizes each request, and live tails (SSE, WebSocket upgrades) work unchanged.

/** A Worker fetch handler, such as this package's default export. */
export interface FetchHandler<E> {
  fetch(request: Request, env: E, ctx: ExecutionContext): Response | Promise<Response>;
}

/**
 * Serves `handler` (Rill's Worker: `import rill from "@rill/edge"`) under `prefix` ("/rill"): the
 * returned function answers requests whose path is the prefix or below it, with the prefix taken off,
 * and resolves to undefined for every other request, which the host Worker serves itself. A
 * same-origin `Location` in an answer gets the prefix back.
 */
export function withPathPrefix<E>(
  prefix: string,
  handler: FetchHandler<E>,
): (request: Request, env: E, ctx: ExecutionContext) => Promise<Response | undefined> {
  if (!/^\/[^?#]*[^/?#]$/.test(prefix)) {
    throw new TypeError(`a path prefix starts with "/" and does not end with one, like "/rill" (got ${JSON.stringify(prefix)})`);
  }
  return async (request, env, ctx) => {
    const url = new URL(request.url);
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return undefined;
    url.pathname = url.pathname.slice(prefix.length) || "/";
    const answer = await handler.fetch(new Request(url, request), env, ctx);
    return withPrefixedLocation(answer, prefix, url);
  };
}

function withPrefixedLocation(answer: Response, prefix: string, served: URL): Response {
  const location = answer.headers.get("location");
  if (!location) return answer;
  const target = new URL(location, served);
  if (target.origin !== served.origin) return answer;
  target.pathname = `${prefix}${target.pathname}`;
  const headers = new Headers(answer.headers);
  headers.set("location", target.href);
  return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers });
}
