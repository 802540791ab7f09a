/** Record batches v2 as bytes, concatenated: the binary produce body and the binary fetch answer. */
export const BATCHES_MEDIA_TYPE = "application/vnd.rill.batches";
/** Also accepted for a binary produce body, for tools that know no better. */
export const OCTET_STREAM_MEDIA_TYPE = "application/octet-stream";
export const JSON_MEDIA_TYPE = "application/json";
export const SSE_MEDIA_TYPE = "text/event-stream";
