// Header names of the protocol (lower case, as fetch's Headers gives them back).

/** Binary fetch answers carry their offsets in headers, since the body is the stored bytes. */
export const NEXT_OFFSET_HEADER = "rill-next-offset";
export const HIGH_WATERMARK_HEADER = "rill-high-watermark";
export const LOG_START_OFFSET_HEADER = "rill-log-start-offset";
/** Sent by clients so the broker can tell them apart in logs and quotas. */
export const CLIENT_ID_HEADER = "rill-client-id";

/** Headers a browser may read from a cross-origin answer (CORS Access-Control-Expose-Headers). */
export const EXPOSED_HEADERS = [NEXT_OFFSET_HEADER, HIGH_WATERMARK_HEADER, LOG_START_OFFSET_HEADER];
