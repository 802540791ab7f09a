// Every operation of the protocol: method, route, what it does, and its body schema and query
// parameters. The server validates bodies with these schemas and generates /v1/openapi.json from
// this list, and a test checks the list against the routes the app really serves (both ways).

import type { Operation } from "./operation.ts";
import { faceOperations } from "./operations-faces.ts";
import { kafkaOperations } from "./operations-kafka.ts";
import { securityOperations } from "./operations-security.ts";
import { subscriptionOperations } from "./operations-subscriptions.ts";

export * from "./access.ts";
export type { Operation } from "./operation.ts";
export * from "./schemas.ts";
export * from "./security-schemas.ts";
export * from "./subscription-schemas.ts";

export const operations: Operation[] = [...kafkaOperations, ...securityOperations, ...subscriptionOperations, ...faceOperations];
