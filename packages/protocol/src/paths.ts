// Paths of the protocol. Route templates (Hono's `:param` form) for servers, and builders that
// encode names for clients; both come from the same strings.

const seg = encodeURIComponent;

/** Route templates, exactly as served. */
export const ROUTES = {
  health: "/healthz",
  openApi: "/v1/openapi.json",
  topics: "/v1/topics",
  topic: "/v1/topics/:topic",
  topicConfig: "/v1/topics/:topic/config",
  topicPartitions: "/v1/topics/:topic/partitions",
  records: "/v1/topics/:topic/records",
  batches: "/v1/topics/:topic/partitions/:partition/batches",
  partitionRecords: "/v1/topics/:topic/partitions/:partition/records",
  partitionOffsets: "/v1/topics/:topic/partitions/:partition/offsets",
  deleteRecords: "/v1/topics/:topic/partitions/:partition/delete-records",
  producers: "/v1/producers",
  groups: "/v1/groups",
  group: "/v1/groups/:group",
  groupHeartbeat: "/v1/groups/:group/heartbeat",
  groupOffsets: "/v1/groups/:group/offsets",
  groupOffsetsReset: "/v1/groups/:group/offsets/reset",
  credentials: "/v1/credentials",
  credential: "/v1/credentials/:principal",
  acls: "/v1/acls",
  quotas: "/v1/quotas",
  subscriptions: "/v1/subscriptions",
  subscription: "/v1/subscriptions/:group/:subscription",
  stream: "/v1/stream/:name",
  // the Upstash Kafka REST API, at its own paths so its clients need only a new URL
  upstashProduce: "/produce",
  upstashProduceTopic: "/produce/:topic",
  upstashProduceMessage: "/produce/:topic/:message",
  upstashWebhook: "/webhook",
  upstashFetch: "/fetch",
  upstashConsume: "/consume/:group/:instance",
  upstashCommit: "/commit/:group/:instance",
  upstashCommitted: "/committed/:group/:instance",
  upstashOffsets: "/offsets/:time",
  upstashTopics: "/topics",
  upstashConsumers: "/consumers",
  upstashDeleteConsumer: "/delete-consumer/:group/:instance",
} as const;

export type RouteName = keyof typeof ROUTES;

/** Path builders: the same routes with their parameters filled in and encoded. */
export const paths = {
  topics: () => ROUTES.topics,
  topic: (topic: string) => `/v1/topics/${seg(topic)}`,
  topicConfig: (topic: string) => `/v1/topics/${seg(topic)}/config`,
  topicPartitions: (topic: string) => `/v1/topics/${seg(topic)}/partitions`,
  records: (topic: string) => `/v1/topics/${seg(topic)}/records`,
  batches: (topic: string, partition: number) => `/v1/topics/${seg(topic)}/partitions/${partition}/batches`,
  partitionRecords: (topic: string, partition: number) => `/v1/topics/${seg(topic)}/partitions/${partition}/records`,
  partitionOffsets: (topic: string, partition: number) => `/v1/topics/${seg(topic)}/partitions/${partition}/offsets`,
  deleteRecords: (topic: string, partition: number) => `/v1/topics/${seg(topic)}/partitions/${partition}/delete-records`,
  producers: () => ROUTES.producers,
  groups: (options: { internal?: boolean } = {}) => (options.internal ? `${ROUTES.groups}?internal=true` : ROUTES.groups),
  group: (group: string) => `/v1/groups/${seg(group)}`,
  groupHeartbeat: (group: string) => `/v1/groups/${seg(group)}/heartbeat`,
  groupOffsets: (group: string) => `/v1/groups/${seg(group)}/offsets`,
  groupOffsetsReset: (group: string) => `/v1/groups/${seg(group)}/offsets/reset`,
  credentials: () => ROUTES.credentials,
  credential: (principal: string) => `/v1/credentials/${seg(principal)}`,
  acls: () => ROUTES.acls,
  quotas: () => ROUTES.quotas,
  subscriptions: () => ROUTES.subscriptions,
  subscription: (group: string, name: string) => `/v1/subscriptions/${seg(group)}/${seg(name)}`,
  stream: (name: string) => `/v1/stream/${seg(name)}`,
};

/** A route template in OpenAPI's `{param}` form. */
export function openApiPath(route: string): string {
  return route.replace(/:(\w+)/g, "{$1}");
}
