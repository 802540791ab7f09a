// Header names of the protocol (lower case, as fetch's Headers gives them back).

/** Binary fetch answers carry their offsets in headers, since the body is the stored bytes. */
export const NEXT_OFFSET_HEADER = "rill-next-offset";
export const HIGH_WATERMARK_HEADER = "rill-high-watermark";
export const LOG_START_OFFSET_HEADER = "rill-log-start-offset";
/** Sent by clients so the broker can tell them apart in logs and quotas. */
export const CLIENT_ID_HEADER = "rill-client-id";

/**
 * Quota throttling (Kafka's throttle_time_ms): how long the client must wait before its next
 * request of the same kind (produce or fetch), in ms. On every answer of a metered request.
 */
export const THROTTLE_TIME_HEADER = "rill-throttle-time-ms";

/** Headers a browser may read from a cross-origin answer (CORS Access-Control-Expose-Headers). */
export const EXPOSED_HEADERS = [NEXT_OFFSET_HEADER, HIGH_WATERMARK_HEADER, LOG_START_OFFSET_HEADER, THROTTLE_TIME_HEADER, "retry-after"];
