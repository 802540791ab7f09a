// What crosses between a page, its worker and the hosting worker: HTTP requests and answers as
// plain structured-clone data, bodies as ArrayBuffers (transferred where the hop allows it), and the
// calls each side offers over comlink.

/** One HTTP request, cloned across a message boundary. `id` is unique across every page. */
export interface WireRequest {
  id: string;
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: ArrayBuffer | null;
}

/** The head of an answer, with the whole body unless the body is a stream (then it is pulled with `read`). */
export interface WireResponse {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: ArrayBuffer | null;
  stream: boolean;
}

/** Serves wire requests: the host's HTTP app, or a relay to the worker that hosts it. */
export interface WireServer {
  fetch(request: WireRequest): Promise<WireResponse>;
  /** Cancels a request (a held long-poll, a live tail); unknown ids are ignored. */
  abort(id: string): void | Promise<void>;
  /** The next chunk of a streamed answer's body; null once it has ended. */
  read(id: string): Promise<ArrayBuffer | null>;
}

/** The whole of a Uint8Array as its own ArrayBuffer, copying only when the view is part of a larger buffer. */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
}

/** The buffers of a message that can be transferred rather than copied. */
export function transferables(message: { body: ArrayBuffer | null }): ArrayBuffer[] {
  return message.body && message.body.byteLength > 0 ? [message.body] : [];
}

/** Statuses whose Response must have no body (the Response constructor throws otherwise). */
export const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
