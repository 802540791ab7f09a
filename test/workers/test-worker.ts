// Test entry for workerd: the production Worker plus a bare SQLite Durable Object for the
// storage conformance suite.
import { DurableObject } from "cloudflare:workers";

export * from "../../workers/src/index.ts";
export { default } from "../../workers/src/index.ts";

export class StorageTestObject extends DurableObject {}
