/** Bindings the Worker and its Durable Objects receive (see wrangler.toml). */
export interface Env {
  PARTITIONS: DurableObjectNamespace;
}
