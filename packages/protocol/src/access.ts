// What each operation needs to be allowed, in Kafka's terms (its "operations and resources on
// protocols" table): the resource type, the ACL operation, and where the resource's name comes
// from. Written beside each operation in operations.ts, so the server enforces exactly this table
// and the authorization tests are generated from it.

export type AccessResource = "topic" | "group" | "cluster" | "transactionalId";
export type AccessOperation = "read" | "write" | "create" | "delete" | "alter" | "describe" | "alterConfigs" | "describeConfigs";

/** Where a checked resource's name comes from. */
export type NameSource =
  /** a path parameter */
  | { path: string }
  /** a string field of the JSON body */
  | { body: string }
  /** every element of an array field of the JSON body, or each element's `field` */
  | { bodyEach: string; field?: string }
  /** a string field of the JSON body, or of each element when the body is an array (absent: no name) */
  | { bodyItems: string }
  /** a query parameter (absent: INVALID_REQUEST) */
  | { query: string }
  /** a fixed name (the cluster is kafka-cluster; "*" asks for every name) */
  | { fixed: string }
  /** at least one resource of the type (lists, which then show only what may be described) */
  | { any: true };

export interface AccessCheck {
  resource: AccessResource;
  operation: AccessOperation;
  name: NameSource;
  /** Only checked when this JSON body field is present (true) or absent (false). */
  when?: { body: string; present: boolean };
  /** The same operation on the cluster is enough too (Kafka: CREATE on the cluster creates any topic). */
  orCluster?: boolean;
}

export type Access =
  /** Open to anyone, credentials or not (liveness). */
  | { public: true }
  /** Any authenticated principal (the API description). */
  | { authenticated: true }
  /** Every check must pass, unless the principal is a super user. */
  | { checks: AccessCheck[] };

export const CLUSTER = { fixed: "kafka-cluster" } as const;
