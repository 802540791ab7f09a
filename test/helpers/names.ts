// Names no other test uses: topics and groups are shared by every case that runs against one broker.

let counter = 0;

/** A topic (or group) name unique within this process and, by its random tail, across processes. */
export const uniqueTopic = (prefix = "t"): string => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
